"""The word lists and interaction stories the demo generator draws from.

The demo company is «زرین‌دانه» (Zarrin Daneh), a Tehran producer and distributor of
pistachios, saffron, dried fruit and tea. It sells to chain stores, confectioners, hotels
and trading companies across Iran, to importers in the UK, Germany and the UAE, and to
consumers through its own stores and website — so every channel of the seeds has a reason
to be used. Everything here is plain data; ``peyvand.demo`` decides how to combine it.
"""

from __future__ import annotations

from dataclasses import dataclass

COMPANY_DOMAIN = "zarrindaneh.example"

# --- staff --------------------------------------------------------------------------------

TEHRAN, ISFAHAN, SUPPORT, MARKETING = "فروش تهران", "فروش اصفهان", "پشتیبانی", "بازاریابی"
TEAMS = (TEHRAN, ISFAHAN, SUPPORT, MARKETING)


@dataclass(frozen=True)
class Staff:
    username: str
    first_name: str
    last_name: str
    role: str
    team: str | None
    language: str = "fa"


# Roles as Role values; kept as strings so this module needs no Django.
STAFF = (
    Staff("bahram.salehi", "بهرام", "صالحی", "manager", TEHRAN),
    Staff("mina.ghasemi", "مینا", "قاسمی", "manager", ISFAHAN),
    Staff("sara.ahmadi", "سارا", "احمدی", "sales", TEHRAN),
    Staff("reza.karimi", "رضا", "کریمی", "sales", TEHRAN),
    # The export desk: foreign customers belong to him.
    Staff("david.wilson", "David", "Wilson", "sales", TEHRAN, "en"),
    Staff("ali.rezaei", "علی", "رضایی", "sales", ISFAHAN),
    Staff("zahra.hosseini", "زهرا", "حسینی", "sales", ISFAHAN),
    Staff("neda.moradi", "ندا", "مرادی", "sales", ISFAHAN),
    Staff("fatemeh.nouri", "فاطمه", "نوری", "support", SUPPORT),
    Staff("hamid.rostami", "حمید", "رستمی", "support", SUPPORT),
    Staff("leila.kazemi", "لیلا", "کاظمی", "marketing", MARKETING),
    Staff("emma.clarke", "Emma", "Clarke", "marketing", MARKETING, "en"),
    Staff("kaveh.sharifi", "کاوه", "شریفی", "readonly", None),
)
EXPORT_DESK = "david.wilson"

# --- people -------------------------------------------------------------------------------

# (Persian, Latin). A tuple of two names is a compound first name, which people write
# joined («محمدعلی») or with a zero-width non-joiner («محمد‌علی»).
MALE_NAMES: tuple[tuple[str | tuple[str, str], str], ...] = (
    ("علی", "Ali"),
    ("محمد", "Mohammad"),
    ("رضا", "Reza"),
    ("حسین", "Hossein"),
    ("مهدی", "Mahdi"),
    ("امیر", "Amir"),
    ("حمید", "Hamid"),
    ("سعید", "Saeed"),
    ("مجید", "Majid"),
    ("بهروز", "Behrouz"),
    ("کامران", "Kamran"),
    ("فرهاد", "Farhad"),
    ("مسعود", "Masoud"),
    ("یوسف", "Yousef"),
    ("کریم", "Karim"),
    ("پیمان", "Peyman"),
    ("آرش", "Arash"),
    ("بابک", "Babak"),
    ("داریوش", "Dariush"),
    ("نیما", "Nima"),
    ("سینا", "Sina"),
    ("میلاد", "Milad"),
    ("جواد", "Javad"),
    ("کیوان", "Keyvan"),
    ("هومن", "Hooman"),
    ("مرتضی", "Morteza"),
    ("یعقوب", "Yaghoub"),
    ("اکبر", "Akbar"),
    (("محمد", "علی"), "Mohammadali"),
    (("امیر", "حسین"), "Amirhossein"),
    (("محمد", "رضا"), "Mohammadreza"),
    (("علی", "اکبر"), "Aliakbar"),
)
FEMALE_NAMES: tuple[tuple[str | tuple[str, str], str], ...] = (
    ("زهرا", "Zahra"),
    ("فاطمه", "Fatemeh"),
    ("مریم", "Maryam"),
    ("سارا", "Sara"),
    ("نرگس", "Narges"),
    ("لیلا", "Leila"),
    ("مینا", "Mina"),
    ("شیرین", "Shirin"),
    ("نازنین", "Nazanin"),
    ("الهام", "Elham"),
    ("سمیرا", "Samira"),
    ("پریسا", "Parisa"),
    ("نگار", "Negar"),
    ("کیمیا", "Kimia"),
    ("یاسمن", "Yasaman"),
    ("هانیه", "Hanieh"),
    ("ساناز", "Sanaz"),
    ("مهسا", "Mahsa"),
    ("آزاده", "Azadeh"),
    ("رویا", "Roya"),
    ("سپیده", "Sepideh"),
    ("فرشته", "Fereshteh"),
    ("ژیلا", "Zhila"),
    ("گلاره", "Gelareh"),
    ("کبری", "Kobra"),
    ("طاهره", "Tahereh"),
    (("فاطمه", "زهرا"), "Fatemehzahra"),
)
LAST_NAMES: tuple[tuple[str | tuple[str, str], str], ...] = (
    ("احمدی", "Ahmadi"),
    ("محمدی", "Mohammadi"),
    ("حسینی", "Hosseini"),
    ("رضایی", "Rezaei"),
    ("کریمی", "Karimi"),
    ("موسوی", "Mousavi"),
    ("جعفری", "Jafari"),
    ("کاظمی", "Kazemi"),
    ("رحیمی", "Rahimi"),
    ("صادقی", "Sadeghi"),
    ("قاسمی", "Ghasemi"),
    ("نوری", "Nouri"),
    ("طاهری", "Taheri"),
    ("اکبری", "Akbari"),
    ("یزدانی", "Yazdani"),
    ("کرمانی", "Kermani"),
    ("اصفهانی", "Esfahani"),
    ("شیرازی", "Shirazi"),
    ("تهرانی", "Tehrani"),
    ("خسروی", "Khosravi"),
    ("فرهادی", "Farhadi"),
    ("بهرامی", "Bahrami"),
    ("سلطانی", "Soltani"),
    ("مرادی", "Moradi"),
    ("زارعی", "Zarei"),
    ("عباسی", "Abbasi"),
    ("شریفی", "Sharifi"),
    ("نجفی", "Najafi"),
    ("ملکی", "Maleki"),
    ("کیانی", "Kiani"),
    ("پاکزاد", "Pakzad"),
    ("وکیلی", "Vakili"),
    ("رستمی", "Rostami"),
    ("گودرزی", "Goudarzi"),
    ("میرزایی", "Mirzaei"),
    ("هاشمی", "Hashemi"),
    ("امینی", "Amini"),
    ("دهقان", "Dehghan"),
    ("فتحی", "Fathi"),
    ("ابراهیمی", "Ebrahimi"),
    ("کاشانی", "Kashani"),
    ("قربانی", "Ghorbani"),
    ("ترابی", "Torabi"),
    ("آقایی", "Aghaei"),
    (("حسین", "زاده"), "Hosseinzadeh"),
    (("علی", "پور"), "Alipour"),
    (("نیک", "نام"), "Niknam"),
    (("پور", "محمدی"), "Pourmohammadi"),
    (("قلی", "زاده"), "Gholizadeh"),
)

ENGLISH_FIRST = (
    "James",
    "Oliver",
    "Emma",
    "Sophie",
    "Thomas",
    "Anna",
    "Lukas",
    "Julia",
    "Omar",
    "Fatima",
    "Ahmed",
    "Sarah",
    "Daniel",
    "Laura",
    "Michael",
    "Hannah",
    "Max",
    "Lena",
    "Yusuf",
    "Noura",
)
ENGLISH_LAST = (
    "Smith",
    "Brown",
    "Taylor",
    "Evans",
    "Müller",
    "Schmidt",
    "Weber",
    "Fischer",
    "Becker",
    "Hoffmann",
    "Al Mansouri",
    "Haddad",
    "Khan",
    "Al Falasi",
    "Hughes",
    "Wright",
)

PERSONAL_EMAIL_DOMAINS = ("example.com", "example.net", "example.org")

JOB_TITLES = (
    "مدیر خرید",
    "کارشناس خرید",
    "مدیرعامل",
    "مدیر بازرگانی",
    "مسئول انبار",
    "مدیر فروشگاه",
    "کارشناس کنترل کیفیت",
    "حسابدار",
    "سرپرست فروش",
    "مدیر رستوران",
    "سرآشپز",
    "مدیر داخلی",
)
ENGLISH_TITLES = (
    "Purchasing Manager",
    "Managing Director",
    "Buyer",
    "Head of Procurement",
    "Quality Manager",
    "Owner",
    "Logistics Coordinator",
)

# --- places -------------------------------------------------------------------------------


@dataclass(frozen=True)
class City:
    province: str
    name: str
    latin: str
    area_code: str  # without the trunk 0
    first_digits: str  # what a landline's eight digits may start with
    team: str
    weight: int


CITIES = (
    City("تهران", "تهران", "Tehran", "21", "2345678", TEHRAN, 30),
    City("البرز", "کرج", "Karaj", "26", "3", TEHRAN, 5),
    City("خراسان رضوی", "مشهد", "Mashhad", "51", "3", TEHRAN, 6),
    City("آذربایجان شرقی", "تبریز", "Tabriz", "41", "3", TEHRAN, 4),
    City("گیلان", "رشت", "Rasht", "13", "3", TEHRAN, 3),
    City("مازندران", "ساری", "Sari", "11", "3", TEHRAN, 2),
    City("قم", "قم", "Qom", "25", "3", TEHRAN, 2),
    City("اصفهان", "اصفهان", "Isfahan", "31", "3", ISFAHAN, 18),
    City("اصفهان", "کاشان", "Kashan", "31", "5", ISFAHAN, 3),
    City("فارس", "شیراز", "Shiraz", "71", "3", ISFAHAN, 6),
    City("یزد", "یزد", "Yazd", "35", "3", ISFAHAN, 3),
    City("کرمان", "رفسنجان", "Rafsanjan", "34", "3", ISFAHAN, 3),
    City("کرمان", "کرمان", "Kerman", "34", "3", ISFAHAN, 2),
    City("خوزستان", "اهواز", "Ahvaz", "61", "3", ISFAHAN, 3),
)

STREETS = (
    "خیابان ولیعصر",
    "خیابان انقلاب",
    "بلوار کشاورز",
    "خیابان شریعتی",
    "خیابان آزادی",
    "خیابان امام خمینی",
    "بلوار چهارباغ",
    "خیابان فردوسی",
    "خیابان حافظ",
    "بلوار جمهوری",
    "خیابان سعدی",
    "بلوار پاسداران",
    "خیابان مطهری",
    "بلوار ملاصدرا",
    "خیابان طالقانی",
)
ALLEYS = ("کوچه نسترن", "کوچه یاس", "بن‌بست لاله", "کوچه شقایق", "کوچه بهار", "کوچه مهر")
MOBILE_PREFIXES = (
    "912",
    "919",
    "935",
    "936",
    "937",
    "938",
    "939",
    "901",
    "902",
    "903",
    "905",
    "990",
    "991",
    "921",
    "922",
    "910",
    "913",
    "914",
    "915",
    "917",
    "918",
    "920",
)


@dataclass(frozen=True)
class Country:
    code: str
    cities: tuple[str, ...]
    landline: tuple[str, ...]  # E.164 prefixes followed by random digits
    landline_digits: int
    mobile: tuple[str, ...]
    mobile_digits: int
    streets: tuple[str, ...]


# fmt: off
COUNTRIES = {
    "GB": Country("GB", ("London", "Manchester"), ("+44207", "+44161"), 7, ("+447911", "+447400"),
                  6,
                  ("12 Harbour Street", "48 King's Road", "7 Mill Lane")),
    "DE": Country("DE", ("Hamburg", "Berlin", "Cologne"), ("+4940", "+4930", "+49221"), 8,
                  ("+49151", "+49176"), 8, ("Königstraße 20", "Hafenweg 4", "Lindenallee 11")),
    "AE": Country("AE", ("Dubai", "Abu Dhabi"), ("+9714", "+9712"), 7, ("+97150", "+97155"), 7,
                  ("Al Ras, Deira", "Sheikh Zayed Road", "Jebel Ali Free Zone")),
}
# fmt: on

# --- organisations ------------------------------------------------------------------------

# (kind of business with a «{}» for the name, industry)
ORG_TYPES = (
    ("شرکت صنایع غذایی {}", "صنایع غذایی"),
    ("بازرگانی {}", "بازرگانی"),
    ("فروشگاه زنجیره‌ای {}", "خرده‌فروشی"),
    ("شیرینی‌سرای {}", "شیرینی و قنادی"),
    ("هتل {}", "هتلداری"),
    ("رستوران {}", "رستوران"),
    ("شرکت پخش {}", "پخش و توزیع"),
    ("سوپرمارکت {}", "خرده‌فروشی"),
    ("آجیل و خشکبار {}", "خرده‌فروشی"),
    ("شرکت تعاونی مصرف {}", "تعاونی"),
)
ORG_NAMES = (
    ("البرز", "alborz"),
    ("پارس", "pars"),
    ("افق", "ofogh"),
    ("سپاهان", "sepahan"),
    ("زاگرس", "zagros"),
    ("دماوند", "damavand"),
    ("کوثر", "kowsar"),
    ("آفتاب", "aftab"),
    ("مهرگان", "mehregan"),
    ("نقش جهان", "naghshejahan"),
    ("زاینده‌رود", "zayandehrud"),
    ("ستاره", "setareh"),
    ("نگین", "negin"),
    ("آریا", "arya"),
    ("تابان", "taban"),
    ("صدف", "sadaf"),
    ("سیمرغ", "simorgh"),
    ("گلستان", "golestan"),
    ("بهار", "bahar"),
    ("الوند", "alvand"),
    ("کیمیا", "kimia"),
    ("سهند", "sahand"),
    ("آرمان", "arman"),
    ("پردیس", "pardis"),
    ("ارغوان", "arghavan"),
    ("مروارید", "morvarid"),
    ("سپید", "sepid"),
)
# Fixed names first, so even the small demo has the seeds' examples.
ORG_FIXED: tuple[tuple[str, str, str, str | None], ...] = (
    ("شرکت صنایع غذایی البرز", "alborzfood", "صنایع غذایی", "کرج"),
    ("بازرگانی پارس", "parstrading", "بازرگانی", "تهران"),
    ("فروشگاه زنجیره‌ای افق", "ofoghstores", "خرده‌فروشی", "اصفهان"),
)
FOREIGN_ORGS = (
    ("Saffron House Ltd", "saffronhouse", "GB", "Food import"),
    ("Orient Feinkost GmbH", "orient-feinkost", "DE", "Delicatessen wholesale"),
    ("Al Noor Foodstuff Trading LLC", "alnoor-trading", "AE", "Food trading"),
    ("Gulf Dates & Nuts FZE", "gulfnuts", "AE", "Food trading"),
    ("Berliner Nussmanufaktur GmbH", "nussmanufaktur", "DE", "Confectionery"),
    ("Caspian Gourmet Ltd", "caspiangourmet", "GB", "Retail"),
    ("Levant Fine Foods LLC", "levantfoods", "AE", "Hospitality supply"),
    ("Spice Route Imports Ltd", "spiceroute", "GB", "Food import"),
)

# --- what customers are tagged with, where they came from, how they consented ------------

TAGS = ("مشتری ویژه", "عمده‌فروش", "VIP", "خرده‌فروش", "سفارش نوروزی", "پرداخت با چک")
TAG_EXHIBITION = "نمایشگاه {year}"  # the Jalali year before the anchor's, in Persian digits
TAG_EXPORT = "صادرات"
CONSENT_SOURCES = ("فرم وب‌سایت", "فروشگاه", "تماس تلفنی", "فرم نمایشگاه", "website form")

# --- products -----------------------------------------------------------------------------

PRODUCTS = (
    ("پسته اکبری", "Akbari pistachios"),
    ("پسته فندقی", "Fandoghi pistachios"),
    ("زعفران سرگل", "Sargol saffron"),
    ("زعفران نگین", "Negin saffron"),
    ("بادام درختی", "almonds"),
    ("گردو", "walnuts"),
    ("کشمش پلویی", "golden raisins"),
    ("انجیر خشک", "dried figs"),
    ("خرما مضافتی", "Mazafati dates"),
    ("چای ممتاز لاهیجان", "premium Lahijan tea"),
    ("جعبه هدیه نوروزی", "Nowruz gift boxes"),
    ("زرشک پفکی", "barberries"),
)
GREGORIAN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# --- interaction stories ------------------------------------------------------------------

# Outcome weights, as "outcome:weight" pairs.
CALL_OUT = "completed:5 no_answer:3 busy:1 left_message:1 follow_up:3 not_interested:1"
CALL_IN = "completed:5 follow_up:2 resolved:2"
DONE = "completed:1"
SERVICE = "resolved:5 follow_up:3 completed:1"
SALES = "completed:4 follow_up:4 not_interested:1"


@dataclass(frozen=True)
class Story:
    """One kind of contact. Placeholders: {product} {product2} {order} {qty} {amount}
    {city} {month}. ``handler`` is owner, support, marketing or manager; ``kinds`` is
    "p" (people), "o" (organisations) or "po"; a ``buyer`` story needs past purchases."""

    channel: str
    direction: str
    subject: str
    body: str
    outcomes: str = DONE
    handler: str = "owner"
    kinds: str = "po"
    buyer: bool = False
    weight: int = 2


IN, OUT = "inbound", "outbound"

# fmt: off
PERSIAN_STORIES = (
    # phone
    Story("phone", IN, "پیگیری سفارش {order}", "مشتری برای زمان ارسال سفارش {order} تماس گرفت. "
          "قرار شد تا پایان هفته از انبار ارسال شود.", CALL_IN, "support", buyer=True, weight=6),
    Story("phone", IN, "شکایت از کیفیت {product}", "مشتری گزارش داد بخشی از {product} سفارش قبلی "
          "رطوبت داشته است. درخواست تعویض ثبت و به کنترل کیفیت ارجاع شد.", SERVICE, "support",
          buyer=True, weight=3),
    Story("phone", IN, "استعلام قیمت {product}", "قیمت {qty} کیلو {product} و شرایط پرداخت "
          "پرسیده شد. پیش‌فاکتور ایمیل می‌شود.", CALL_IN, weight=6),
    Story("phone", IN, "سؤال درباره فاکتور {order}", "مبلغ فاکتور با پیش‌فاکتور نمی‌خواند؛ "
          "تخفیف حجمی اعمال نشده بود. فاکتور اصلاحی صادر شد.", SERVICE, "support", buyer=True),
    Story("phone", IN, "درخواست نمایندگی فروش در {city}", "متقاضی فروشگاه دارد و می‌خواهد نماینده "
          "انحصاری {city} شود. مدارک خواسته شد.", SALES, "manager", kinds="o", weight=1),
    Story("phone", OUT, "پیگیری پیش‌فاکتور ارسالی", "درباره پیش‌فاکتور {qty} کیلو {product} تماس "
          "گرفتم؛ منتظر تأیید مدیر خرید هستند.", CALL_OUT, weight=6),
    Story("phone", OUT, "معرفی محصولات جدید", "{product} و {product2} بسته‌بندی جدید معرفی شد. "
          "نمونه می‌خواهند.", CALL_OUT, weight=4),
    Story("phone", OUT, "هماهنگی زمان تحویل سفارش {order}", "تحویل سفارش {order} برای صبح روز "
          "بعد هماهنگ شد.", CALL_OUT, "support", buyer=True, weight=3),
    Story("phone", OUT, "نظرسنجی رضایت پس از خرید", "از کیفیت {product} و زمان تحویل راضی بودند؛ "
          "امتیاز ۹ از ۱۰.", CALL_OUT, "support", buyer=True, weight=3),
    Story("phone", OUT, "یادآوری مانده حساب", "مانده حساب {amount} یادآوری شد. قول پرداخت تا آخر "
          "{month} دادند.", CALL_OUT, kinds="o", buyer=True, weight=2),
    # email
    Story("email", IN, "درخواست کاتالوگ و لیست قیمت", "لیست قیمت {month} و کاتالوگ محصولات "
          "خواسته‌اند.", CALL_IN, weight=4),
    Story("email", IN, "سفارش خرید {order}", "سفارش {qty} کیلو {product} و {product2} با ایمیل "
          "رسید. ثبت شد.", DONE, buyer=True, weight=5),
    Story("email", IN, "شکایت: کسری در محموله {order}", "دو کارتن {product} در محموله {order} "
          "نبود. با انبار بررسی شد.", SERVICE, "support", buyer=True, weight=2),
    Story("email", OUT, "ارسال پیش‌فاکتور {order}", "پیش‌فاکتور {qty} کیلو {product} به مبلغ "
          "{amount} ارسال شد.", SALES, weight=5),
    Story("email", OUT, "خبرنامه {month}: محصولات تازه فصل", "خبرنامه ماهانه با معرفی {product} "
          "تازه فصل ارسال شد.", DONE, "marketing", weight=4),
    Story("email", OUT, "تأیید ارسال سفارش {order}", "سفارش {order} تحویل باربری شد. شماره بارنامه "
          "در پیوست است.", DONE, "support", buyer=True, weight=3),
    # SMS
    Story("sms", OUT, "پیامک جشنواره تخفیف {month}", "۱۵٪ تخفیف {product} تا پایان {month} در "
          "فروشگاه‌ها و وب‌سایت.", DONE, "marketing", weight=4),
    Story("sms", OUT, "پیامک کد رهگیری مرسوله {order}", "کد رهگیری پست برای سفارش {order} ارسال "
          "شد.", DONE, "support", "p", buyer=True, weight=2),
    Story("sms", OUT, "یادآوری قرار ملاقات", "قرار فردا ساعت ۱۰ در دفتر مشتری یادآوری شد.", DONE),
    Story("sms", IN, "درخواست تماس با پیامک", "مشتری با پیامک خواست درباره قیمت {product} با او "
          "تماس بگیریم.", "follow_up:3 completed:1", weight=1),
    # website
    Story("website", IN, "سفارش آنلاین {order}", "سفارش {order} در وب‌سایت ثبت و پرداخت شد: "
          "{product}.", DONE, "support", "p", weight=4),
    Story("website", IN, "فرم تماس با ما: درخواست همکاری", "در فرم وب‌سایت درباره خرید عمده "
          "{product} پرسیده‌اند.", "follow_up:3 completed:1", weight=3),
    Story("website", IN, "ثبت شکایت در وب‌سایت", "بسته {product} آسیب‌دیده رسیده است. عکس پیوست "
          "شده.", SERVICE, "support", "p", buyer=True),
    # chat
    Story("chat", IN, "گفتگوی آنلاین: موجودی {product}", "موجودی {product} بسته ۵۰۰ گرمی پرسیده "
          "شد؛ موجود است.", "resolved:3 completed:1", "support", weight=3),
    Story("chat", IN, "گفتگوی آنلاین: پیگیری مرسوله", "کد رهگیری سفارش {order} در گفتگو داده شد.",
          "resolved:1", "support", "p", buyer=True, weight=2),
    Story("chat", OUT, "ارسال عکس محصولات در پیام‌رسان", "عکس و مشخصات {product} و {product2} "
          "برای خریدار فرستاده شد.", SALES),
    # in person
    Story("in_person", OUT, "بازدید از فروشگاه مشتری در {city}", "قفسه‌های {product} بررسی شد. "
          "پیشنهاد چیدمان جدید و سفارش آزمایشی داده شد.", SALES, kinds="o", weight=3),
    Story("in_person", OUT, "جلسه مذاکره قرارداد سالانه", "شرایط قرارداد سالانه {product} و "
          "تخفیف حجمی مذاکره شد.", SALES, "manager", kinds="o", buyer=True),
    Story("in_person", IN, "بازدید مشتری از دفتر مرکزی", "برای دیدن نمونه {product} و {product2} "
          "به دفتر آمدند.", SALES),
    Story("in_person", IN, "دیدار در غرفه نمایشگاه", "در نمایشگاه مواد غذایی با غرفه آشنا شد و "
          "کاتالوگ گرفت.", SALES, weight=1),
    # store
    Story("store", IN, "خرید حضوری از فروشگاه", "{product} و {product2} از فروشگاه خریداری شد.",
          DONE, kinds="p", weight=4),
    Story("store", IN, "مرجوعی کالا در فروشگاه", "بسته {product} به دلیل تاریخ نزدیک انقضا "
          "تعویض شد.", "resolved:1", "support", "p", buyer=True),
    Story("store", IN, "بازدید از فروشگاه و دریافت نمونه", "نمونه {product} گرفت؛ برای خرید "
          "هدیه سازمانی دوباره می‌آید.", SALES, kinds="p"),
    # mail
    Story("mail", OUT, "ارسال قرارداد امضاشده با پست پیشتاز", "دو نسخه قرارداد امضاشده پست شد.",
          DONE, kinds="o", buyer=True, weight=1),
    Story("mail", OUT, "ارسال نمونه محصول و کاتالوگ", "نمونه {product} و کاتالوگ چاپی با پست "
          "ارسال شد.", DONE, "marketing", weight=1),
    Story("mail", IN, "نامه رسمی درخواست تمدید قرارداد", "نامه رسمی درخواست تمدید قرارداد "
          "تأمین {product} رسید.", "follow_up:1", kinds="o", buyer=True, weight=1),
    # fax
    Story("fax", OUT, "فکس لیست قیمت {month}", "لیست قیمت {month} به واحد خرید فکس شد.", DONE,
          kinds="o", weight=2),
    Story("fax", IN, "فکس سفارش خرید {order}", "سفارش مهر و امضاشده {qty} کیلو {product} با فکس "
          "رسید.", DONE, kinds="o", buyer=True, weight=2),
    Story("fax", IN, "فکس تأییدیه دریافت بار", "رسید انبار مشتری برای سفارش {order} فکس شد.",
          DONE, "support", "o", buyer=True, weight=1),
    # distributor
    Story("distributor", IN, "گزارش نماینده پخش {city}", "نماینده پخش {city} فروش {month} این "
          "مشتری را گزارش کرد: {qty} کیلو {product}.", DONE, kinds="o", buyer=True, weight=3),
    Story("distributor", IN, "سفارش از طریق نماینده پخش", "سفارش {product} از طریق نماینده "
          "{city} ثبت شد.", DONE, buyer=True, weight=2),
    Story("distributor", OUT, "ارسال بار از طریق پخش {city}", "بار سفارش {order} به انبار پخش "
          "{city} تحویل شد.", DONE, "support", "o", buyer=True),
    # partner
    Story("partner", IN, "معرفی مشتری توسط همکار تجاری", "یکی از همکاران تجاری این مشتری را "
          "برای خرید {product} معرفی کرد.", SALES, weight=1),
    Story("partner", OUT, "هماهنگی با شرکت حمل همکار", "حمل سفارش {order} به شرکت حمل همکار "
          "سپرده شد.", DONE, "support", buyer=True, weight=1),
)

ENGLISH_STORIES = (
    Story("phone", IN, "Price enquiry: {product}", "Asked for a price on {qty} kg of {product}, "
          "CIF {city}. Quote to follow by email.", CALL_IN, weight=4),
    Story("phone", OUT, "Follow-up on proforma {order}", "Called about proforma {order}; waiting "
          "for their bank to open the LC.", CALL_OUT, weight=4),
    Story("phone", IN, "Shipment {order} delayed at customs", "Container held for the "
          "phytosanitary certificate; sent a copy the same day.", SERVICE, "support", buyer=True,
          weight=2),
    Story("email", IN, "Request for catalogue and price list", "Importer asked for our {month} "
          "price list and packaging options.", CALL_IN, weight=4),
    Story("email", OUT, "Proforma invoice {order}", "Sent proforma for {qty} kg of {product}.",
          SALES, weight=5),
    Story("email", IN, "Purchase order {order}", "PO received for {product} and {product2}.",
          DONE, buyer=True, weight=4),
    Story("email", IN, "Complaint: damaged cartons in {order}", "Six cartons of {product} "
          "arrived crushed; photos attached. Credit note agreed.", SERVICE, "support", buyer=True,
          weight=2),
    Story("email", OUT, "Newsletter: new harvest {product}", "Monthly newsletter featuring the "
          "new harvest of {product}.", DONE, "marketing", weight=3),
    Story("website", IN, "Web form: wholesale enquiry", "Wholesale enquiry for {product} from "
          "the English website.", "follow_up:3 completed:1", weight=2),
    Story("chat", IN, "Chat: shipping times to {city}", "Asked how long sea freight to {city} "
          "takes; answered 4–6 weeks.", "resolved:1", "support"),
    Story("in_person", IN, "Meeting at the food fair", "Met at our booth; tasted {product} and "
          "took samples.", SALES, weight=2),
    Story("in_person", OUT, "Visit to the customer's warehouse", "Visited their warehouse in "
          "{city}; discussed private-label {product}.", SALES, kinds="o", buyer=True, weight=1),
    Story("mail", OUT, "Samples sent by courier", "Samples of {product} and {product2} sent by "
          "express courier.", DONE, "marketing", weight=1),
    Story("fax", IN, "Signed proforma {order} by fax", "Signed and stamped proforma {order} "
          "came back by fax.", DONE, kinds="o", buyer=True, weight=1),
    Story("sms", OUT, "Shipment {order}: ETA", "Texted the vessel ETA for order {order}.", DONE,
          "support", buyer=True, weight=1),
    Story("distributor", IN, "Agent report from {city}", "Our agent in {city} reported {qty} kg of "
          "{product} sold to this customer in {month}.", DONE, kinds="o", buyer=True, weight=1),
    Story("partner", OUT, "Freight forwarder booking for {order}", "Booked container space for "
          "{order} with our forwarding partner.", DONE, "support", buyer=True, weight=1),
)

# The last contact with a customer who left.
WIN_BACK = {
    "fa": Story("phone", OUT, "تماس برای بازگشت مشتری", "پیشنهاد تخفیف برای ازسرگیری خرید داده "
                "شد؛ فعلاً از تأمین‌کننده دیگری خرید می‌کنند.", "not_interested:1"),
    "en": Story("email", OUT, "We'd like you back", "Offered a discount on {product} to resume "
                "orders; they have switched supplier for now.", "not_interested:1"),
}

# fmt: on

NOTES = {
    "fa": (
        "مشتری ترجیح می‌دهد فقط صبح‌ها با او تماس گرفته شود.",
        "برای خرید بالای ۵۰ کیلو ۵٪ تخفیف توافق شد.",
        "تا تسویه چک برگشتی، فروش اعتباری به این مشتری متوقف است.",
        "برای نوروز جعبه هدیه سفارش می‌دهند؛ اسفند پیگیری شود.",
        "مسئول خرید جدید منصوب شده؛ شماره جدید ثبت شد.",
        "به زعفران بسته‌بندی ۴.۶ گرمی علاقه دارد.",
        "فاکتور رسمی با کد اقتصادی می‌خواهند.",
        "تحویل فقط از درب پشتی انبار، شنبه تا چهارشنبه.",
    ),
    "en": (
        "Prefers WhatsApp for quick questions.",
        "Needs a phytosanitary certificate with every shipment.",
        "Pays by letter of credit; allow 30 days.",
        "Interested in private-label packaging for {product}.",
    ),
}

# --- sales --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueItem:
    """A product of the price list. ``price`` is in Rial per unit; ``wholesale`` and
    ``retail`` are the quantities a business and a consumer order, (fewest, most)."""

    sku: str
    name_fa: str
    name_en: str
    unit: str  # a sales Unit value: "kg" or "piece" (the catalogue has no box or carton)
    tax_rate: int  # VAT in percent: bulk farm produce is exempt, packaged goods are not
    price: int
    wholesale: tuple[int, int]
    retail: tuple[int, int]

    @property
    def unit_cost(self) -> int:
        """What the company pays for a unit: about seven tenths of the list price, less for
        packaged goods (what customer profitability subtracts)."""
        return self.price * (62 if self.tax_rate else 72) // 100


# fmt: off
CATALOGUE = (
    CatalogueItem("ZD-PIS-AKB", "پسته اکبری", "Akbari pistachios", "kg", 0, 12_500_000,
                  (50, 500), (2, 10)),
    CatalogueItem("ZD-PIS-FAN", "پسته فندقی", "Fandoghi pistachios", "kg", 0, 8_200_000,
                  (100, 800), (2, 10)),
    CatalogueItem("ZD-SAF-SAR", "زعفران سرگل، بسته ۴٫۶ گرمی", "Sargol saffron, 4.6 g pack", "piece", 10,
                  9_500_000, (50, 400), (2, 20)),
    CatalogueItem("ZD-SAF-NEG", "زعفران نگین، بسته ۴٫۶ گرمی", "Negin saffron, 4.6 g pack", "piece", 10,
                  11_800_000, (50, 300), (2, 10)),
    CatalogueItem("ZD-ALM", "بادام درختی", "Almonds", "kg", 0, 6_400_000, (50, 500), (1, 5)),
    CatalogueItem("ZD-WAL", "مغز گردو", "Walnut kernels", "kg", 0, 5_600_000, (50, 400), (1, 5)),
    CatalogueItem("ZD-RAI", "کشمش پلویی", "Golden raisins", "kg", 0, 2_300_000, (100, 1000), (2, 10)),
    CatalogueItem("ZD-FIG", "انجیر خشک استهبان", "Estahban dried figs", "kg", 0, 5_200_000,
                  (50, 300), (1, 5)),
    CatalogueItem("ZD-DAT", "خرما مضافتی", "Mazafati dates", "kg", 0, 1_600_000, (200, 2000), (5, 20)),
    CatalogueItem("ZD-TEA", "چای ممتاز لاهیجان، ۴۵۰ گرمی", "Premium Lahijan tea, 450 g", "piece", 10,
                  3_100_000, (100, 1000), (2, 12)),
    CatalogueItem("ZD-GIFT", "جعبه هدیه نوروزی", "Nowruz gift box", "piece", 10, 24_000_000,
                  (20, 300), (2, 20)),
    CatalogueItem("ZD-BAR", "زرشک پفکی", "Puffy barberries", "kg", 0, 4_300_000, (30, 200), (1, 5)),
)
# fmt: on
# What foreign importers buy.
EXPORT_SKUS = ("ZD-PIS-AKB", "ZD-PIS-FAN", "ZD-SAF-SAR", "ZD-SAF-NEG", "ZD-DAT", "ZD-FIG", "ZD-BAR")

# Deal titles. Placeholders: {product} {product2} {year} (the coming Nowruz's Jalali year).
DEAL_TITLES = {
    "fa": (
        "تأمین {product} برای نوروز {year}",
        "قرارداد سالانه {product}",
        "سفارش عمده {product}",
        "سفارش آزمایشی {product}",
        "تأمین ماهانه {product} و {product2}",
        "عرضه {product} در شعب",
        "پیش‌خرید {product} محصول جدید",
        "سبد هدیه سازمانی نوروز {year}",
    ),
    "en": (
        "Annual supply of {product}",
        "Trial order: {product}",
        "Private-label {product}",
        "Container of {product} and {product2}",
        "Ramadan promotion: {product}",
    ),
}
LOST_REASONS = {
    "fa": (
        "قیمت رقیب ۸٪ پایین‌تر بود.",
        "بودجه خرید این فصل حذف شد.",
        "با تأمین‌کننده فعلی قرارداد دوساله بستند.",
        "زمان تحویل مورد نظرشان را نمی‌توانستیم تضمین کنیم.",
        "کیفیت نمونه ارسالی را نپسندیدند.",
        "پس از سه بار پیگیری پاسخی ندادند.",
    ),
    "en": (
        "Lost on price to a Turkish supplier.",
        "Their bank could not open the letter of credit.",
        "Chose a supplier with EU organic certification.",
        "No response after three follow-ups.",
    ),
}
QUOTE_DECLINED = {"fa": "مبلغ پیش‌فاکتور بالاتر از بودجه خریدشان است.", "en": "Above their budget."}
PAYMENT_REFERENCES = {
    "transfer": "پایا {n}",
    "cheque": "چک صیادی {n}",
    "card": "کارت‌خوان {n}",
    "cash": "رسید صندوق {n}",
}

# --- leads --------------------------------------------------------------------------------

# Placeholders: {product} {city} {qty}.
LEAD_MESSAGES = {
    "fa": (
        "برای فروشگاهمان در {city} {product} عمده می‌خواهیم؛ لطفاً لیست قیمت بفرستید.",
        "قیمت {qty} کیلو {product} با ارسال به {city} چقدر است؟",
        "برای هدیه نوروزی کارکنان شرکت حدود {qty} جعبه هدیه لازم داریم.",
        "در {city} نماینده فروش می‌پذیرید؟",
        "نمونه {product} برای آزمایش کیفیت می‌خواهیم.",
    ),
    "en": (
        "Please send your price list for {product}, CIF {city}.",
        "We import dried fruit into {city} and would like samples of {product}.",
        "Do you offer private-label packaging for {product}?",
    ),
}
LEAD_TOUCHES = {
    "fa": (
        ("phone", "تماس گرفتم؛ منتظر لیست قیمت است."),
        ("email", "ایمیل معرفی و کاتالوگ فرستاده شد."),
        ("phone", "پاسخ نداد؛ پیامک گذاشتم."),
        ("sms", "لینک کاتالوگ آنلاین پیامک شد."),
        ("in_person", "در دفتر نمونه‌ها را دید و چشید."),
    ),
    "en": (
        ("email", "Sent the catalogue and our export price list."),
        ("phone", "Call: they want samples before ordering."),
        ("chat", "WhatsApp: asked about shipping times."),
    ),
}
DISQUALIFY_REASONS = {
    "fa": (
        "فقط یک کیلو برای مصرف خانگی می‌خواست.",
        "شماره تماس اشتباه است و ایمیل برگشت خورد.",
        "رقیب تجاری بود و فقط قیمت می‌گرفت.",
        "خارج از محدوده ارسال ما است.",
    ),
    "en": ("Spam submission.", "Looking for a job, not a supplier."),
}
LEAD_SOURCES = "phone:4 walk_in:2 referral:4 partner:2 campaign:3 distributor:2 other:1"

# --- activities ---------------------------------------------------------------------------

# (kind, title) by who does it; placeholders {product} {city}. Visits are for organisations.
# fmt: off
ACTIVITY_TITLES = {
    ("sales", "fa"): (
        ("call", "تماس پیگیری پیش‌فاکتور {product}"),
        ("call", "تماس برای تمدید قرارداد"),
        ("call", "یادآوری مانده حساب"),
        ("call", "معرفی {product} برداشت جدید"),
        ("meeting", "جلسه مذاکره قیمت {product}"),
        ("meeting", "جلسه ارائه کاتالوگ جدید"),
        ("visit", "بازدید از فروشگاه مشتری در {city}"),
        ("visit", "بازدید از انبار مشتری"),
        ("task", "ارسال پیش‌فاکتور {product}"),
        ("task", "ارسال نمونه {product}"),
        ("task", "آماده‌کردن قرارداد سالانه"),
        ("task", "به‌روزرسانی اطلاعات تماس مشتری"),
    ),
    ("sales", "en"): (
        ("call", "Follow up the proforma for {product}"),
        ("call", "Call about opening the letter of credit"),
        ("meeting", "Video meeting: private-label {product}"),
        ("visit", "Visit their warehouse in {city}"),
        ("task", "Send the phytosanitary certificate"),
        ("task", "Send samples of {product}"),
    ),
    ("support", "fa"): (
        ("call", "پیگیری شکایت کیفیت {product}"),
        ("call", "نظرسنجی رضایت پس از تحویل"),
        ("call", "هماهنگی زمان تحویل سفارش"),
        ("visit", "بازدید کنترل کیفیت از انبار مشتری"),
        ("task", "ثبت درخواست تعویض {product}"),
        ("task", "پیگیری بارنامه و کد رهگیری"),
    ),
}
# fmt: on
ACTIVITY_NOTES = {
    "fa": (
        "قرار شد پیش‌فاکتور اصلاحی تا فردا ارسال شود.",
        "از کیفیت راضی بودند؛ سفارش بعدی را ماه آینده می‌دهند.",
        "مدیر خرید در جلسه بود؛ دوباره تماس می‌گیرم.",
        "نمونه‌ها تحویل شد و بازخورد مثبت بود.",
        "درباره تخفیف حجمی با مدیر فروش هماهنگ شود.",
    ),
    "en": (
        "They will confirm the quantity after their board meeting.",
        "Samples arrived; feedback on taste was very good.",
        "Waiting for their bank to issue the LC.",
    ),
}
FOLLOW_UP_TITLE = {"fa": "پیگیری: {title}", "en": "Follow-up: {title}"}
CANCEL_REASONS = {
    "fa": ("مشتری جلسه را لغو کرد؛ بعد از تعطیلات دوباره هماهنگ می‌شود.", "تکراری بود."),
    "en": ("They postponed until after the holidays.",),
}
# Repeating activities: (role, kind, title, repeat, with a customer).
RECURRING = {
    "monthly_call": {"fa": "تماس ماهانه با مشتری کلیدی", "en": "Monthly call with a key account"},
    "weekly_report": {"fa": "گزارش هفتگی فروش برای مدیر", "en": "Weekly sales report"},
    "weekly_support": {"fa": "بررسی شکایت‌های باز هفته", "en": "Review this week's open complaints"},
}
MANAGER_TASKS = {
    "fa": ("بازدید مشترک با مدیر فروش از {city}", "جلسه بررسی قرارداد سال آینده"),
    "en": ("Joint visit with the sales manager", "Review next year's contract"),
}
