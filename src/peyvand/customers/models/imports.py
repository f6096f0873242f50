"""Bringing records in from files: the job, the problems found in its rows, saved mappings,
and what a job changed, so that undoing it can put it back.

Every kind of import (people and organisations here, products and orders from sales) runs
as an ``ImportJob``; ``kind`` names the importer (``customers.importer.registry``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """One file being imported, from upload to done (or undone).

    The job's counters and ``next_row`` are committed in the same transaction as each chunk
    of rows, so a job killed at any point resumes exactly where its data ends.
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        QUEUED = "queued", _("Queued")
        # Kinds imported all or nothing read every row first, writing nothing but problems.
        CHECKING = "checking", _("Checking the rows")
        RUNNING = "running", _("Importing")
        INDEXING = "indexing", _("Indexing for search")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        UNDONE = "undone", _("Undone")

    class Policy(models.TextChoices):
        """What to do with a row that matches an existing record. Each importer offers some
        of these, under labels of its own; these are the people import's."""

        SKIP = "skip", _("Skip rows that match an existing customer")
        UPDATE = "update", _("Update the existing customer")
        CREATE = "create", _("Create a new customer anyway")
        REFUSE = "refuse", _("Report the row as a problem")

    kind = models.CharField(_("kind"), max_length=12)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.UPLOADED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    original_name = models.CharField(_("file"), max_length=255)
    stored_path = models.CharField(max_length=500)
    size = models.BigIntegerField(_("size"), default=0)
    file_format = models.CharField(max_length=5)  # csv or xlsx
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=2, blank=True)
    header = models.JSONField(_("columns"), default=list)
    mapping = models.JSONField(_("mapping"), default=dict)  # column index (as text) -> field
    policy = models.CharField(_("duplicates"), max_length=10, choices=Policy.choices, default=Policy.SKIP)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    tag = models.CharField(_("tag"), max_length=50, blank=True)
    total_rows = models.IntegerField(_("rows"), null=True, blank=True)  # an estimate until done
    next_row = models.IntegerField(default=1)  # the first data row not yet processed (1-based)
    checked_rows = models.IntegerField(default=0)  # rows read by the check of an all-or-nothing kind
    created_count = models.IntegerField(_("created"), default=0)
    updated_count = models.IntegerField(_("updated"), default=0)
    skipped_count = models.IntegerField(_("skipped"), default=0)
    error_count = models.IntegerField(_("rejected"), default=0)
    indexed_through = models.BigIntegerField(default=0)  # search index filled up to this party id
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    lease = models.CharField(max_length=36, blank=True)  # the worker run that owns the job
    failure = models.TextField(_("failure"), blank=True)
    deletion_batch = models.UUIDField(null=True, blank=True)  # set by undo
    # The uploader's language: the worker writes the rejected rows' reasons in it.
    language = models.CharField(max_length=5, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="importjob_status")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def undoable(self) -> bool:
        """Finished one way or another, having written something."""
        finished = (self.Status.DONE, self.Status.CANCELLED, self.Status.FAILED)
        return self.status in finished and self.next_row > 1


class ImportIssue(models.Model):
    """A rejected row (or a skipped duplicate), with the column, value and reason."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="issues")
    row = models.IntegerField(_("row"))
    column = models.CharField(_("column"), max_length=255, blank=True)
    value = models.TextField(_("value"), blank=True)
    message = models.TextField(_("message"))
    skipped = models.BooleanField(default=False)  # a duplicate skipped by policy, not an error

    class Meta:
        ordering = ["job", "row", "id"]
        indexes = [models.Index(fields=["job", "row"], name="importissue_job_row")]

    def __str__(self) -> str:
        return f"{self.row}: {self.message}"


class ImportMapping(models.Model):
    """A mapping someone confirmed, remembered for the next file with the same columns."""

    kind = models.CharField(max_length=12)
    header_key = models.CharField(max_length=64)
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "header_key"], name="importmapping_unique")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.header_key[:8]}"


class ImportChange(models.Model):
    """What an import changed on an existing customer, so undoing it can put it back."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="changes")
    party_id = models.BigIntegerField()
    before = models.JSONField(default=dict)  # field -> value before the import
    after = models.JSONField(default=dict)  # field -> value the import set
    added_contacts = models.JSONField(default=list)  # contact point ids the import added
    added_tags = models.JSONField(default=list)  # tag ids the import added

    class Meta:
        indexes = [models.Index(fields=["job", "party_id"], name="importchange_job")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.party_id}"


class ImportRecord(models.Model):
    """A record an import created or changed, for the kinds that do not mark their records
    with the job themselves (products, orders): undoing the job works from these."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="records")
    model = models.CharField(max_length=100)  # app_label.model_name
    object_id = models.BigIntegerField()
    created = models.BooleanField(default=True)  # False: an existing record the import changed
    before = models.JSONField(default=dict)  # field -> value before the import (changes only)
    after = models.JSONField(default=dict)  # field -> value the import set

    class Meta:
        indexes = [models.Index(fields=["job", "model", "object_id"], name="importrecord_job")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.model}:{self.object_id}"
