using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;

namespace Mediation.Web.Ui;

/// <summary>Charts drawn by the server as SVG: nothing to load, nothing to run in the browser.</summary>
public static class Svg
{
    public static IHtmlContent Bars(string id, IReadOnlyList<(string Label, double Value, string Shown)> bars, int width = 420, int rowHeight = 26)
    {
        var max = bars.Count == 0 ? 1 : Math.Max(bars.Max(b => b.Value), 1e-9);
        var height = Math.Max(1, bars.Count) * rowHeight + 8;
        // The bars start after the longest label (a street center's full name is wider than a level's), never on top of it.
        var barsFrom = BarsFrom(bars.Select(b => b.Label), width);
        var longest = width - barsFrom - ValueRoom;
        var svg = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<svg id=\"{id}\" class=\"chart\" role=\"img\" viewBox=\"0 0 {width} {height}\" width=\"100%\" xmlns=\"http://www.w3.org/2000/svg\">");
        for (var i = 0; i < bars.Count; i++)
        {
            var (label, value, shown) = bars[i];
            var y = i * rowHeight + 4;
            var length = longest * value / max;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y + 16}\" font-size=\"{LabelSize}\" fill=\"#3b4452\">{WebUtility.HtmlEncode(label)}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{barsFrom}\" y=\"{y + 3}\" width=\"{length:F1}\" height=\"{rowHeight - 8}\" fill=\"#8c1d18\" rx=\"2\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{barsFrom + 4 + length:F1}\" y=\"{y + 16}\" font-size=\"12\" fill=\"#1d2430\">{WebUtility.HtmlEncode(shown)}</text>");
        }
        return new HtmlString(svg.Append("</svg>").ToString());
    }

    private const int LabelSize = 13;
    private const int ValueRoom = 70;

    /// <summary>Where the bars begin: past the widest label at the label size (a CJK character is about one em wide, a Latin one about half), within reason.</summary>
    public static int BarsFrom(IEnumerable<string> labels, int width)
    {
        var widest = labels.Select(l => l.Sum(c => c >= '\u2E80' ? LabelSize : LabelSize * 0.6)).DefaultIfEmpty(0).Max();
        return (int)Math.Clamp(Math.Ceiling(widest) + 8, 60, width - ValueRoom - 80);
    }

    public static IHtmlContent Columns(string id, IReadOnlyList<(string Label, double Value)> columns, int width = 420, int height = 160)
    {
        var max = columns.Count == 0 ? 1 : Math.Max(columns.Max(c => c.Value), 1);
        var step = (double)width / Math.Max(1, columns.Count);
        var svg = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<svg id=\"{id}\" role=\"img\" viewBox=\"0 0 {width} {height + 34}\" width=\"100%\" xmlns=\"http://www.w3.org/2000/svg\">");
        for (var i = 0; i < columns.Count; i++)
        {
            var (label, value) = columns[i];
            var h = height * value / max;
            var x = i * step + step * 0.15;
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:F1}\" y=\"{height - h + 14:F1}\" width=\"{step * 0.7:F1}\" height=\"{h:F1}\" fill=\"#b5563f\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + step * 0.35:F1}\" y=\"{height - h + 10:F1}\" font-size=\"12\" text-anchor=\"middle\">{value:0}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + step * 0.35:F1}\" y=\"{height + 30}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#5a6372\">{WebUtility.HtmlEncode(label)}</text>");
        }
        return new HtmlString(svg.Append("</svg>").ToString());
    }
}
