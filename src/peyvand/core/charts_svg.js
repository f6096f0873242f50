// Draws charts to SVG strings without a browser, for the PDFs and e-mails the server makes:
// `node charts_svg.js <echarts.min.js> <charts.js>` reads {"width", "height", "charts": [payload…]}
// on stdin (each a Chart.payload, as the page's JSON element holds it) and writes a JSON list of
// SVG strings. The option is built by the page's own charts.js, so the drawing is the page's.
"use strict";

const echarts = require(process.argv[2]);
const { buildOption } = require(process.argv[3]);

// Without a canvas ECharts guesses a text's width, a whole em for every letter outside ASCII,
// so Persian labels came out twice their width and were cut short ("فروردین..."). Widths
// near Vazirmatn's: Persian letters about half an em (joined, they are narrow), joiners and
// marks nothing, Latin letters and digits a little over half.
const ZERO_WIDTH = /[\u064B-\u065F\u0670\u200B-\u200F]/;
const PERSIAN = /[\u0600-\u06FF\uFB50-\uFDFF\uFE70-\uFEFF]/;
echarts.setPlatformAPI({
  measureText(text, font) {
    const found = /(\d+(?:\.\d+)?)px/.exec(font || "");
    const size = found ? Number(found[1]) : 12;
    let width = 0;
    for (const letter of String(text || "")) {
      if (ZERO_WIDTH.test(letter)) continue;
      if (letter === " ") width += 0.28 * size;
      else if (PERSIAN.test(letter)) width += 0.5 * size;
      else if (letter <= "\u024F" || /[\u066B\u066C\u2212]/.test(letter)) width += 0.58 * size;
      else width += size;
    }
    return { width };
  },
});

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const { width, height, charts } = JSON.parse(input);
  const drawn = charts.map((data) => {
    const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
    const option = buildOption(data);
    option.animation = false;
    chart.setOption(option);
    const svg = chart.renderToSVGString();
    chart.dispose();
    return svg;
  });
  process.stdout.write(JSON.stringify(drawn));
});
