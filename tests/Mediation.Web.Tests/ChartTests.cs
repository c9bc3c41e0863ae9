using System.Globalization;
using System.Text.RegularExpressions;
using Mediation.Web.Ui;

namespace Mediation.Web.Tests;

public sealed partial class ChartTests
{
    [Fact]
    public void Bars_StartPastTheLongestLabel_SoAStreetCentersFullNameIsNotDrawnOver_AndStayInsideTheChart()
    {
        const string street = "临山街道矛盾纠纷调处中心"; // 12 CJK characters at 13 px: about 156 px of label
        var svg = Svg.Bars("chart", [(street, 0.8, "80 %"), ("河西街道矛盾纠纷调处中心", 1.0, "100 %")]).ToString()!;

        var rects = RectX().Matches(svg).Select(m => (X: double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Width: double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(2, rects.Count);
        Assert.All(rects, r => Assert.True(r.X >= street.Length * 13, $"A bar starts at x={r.X}, on top of a label about {street.Length * 13} px wide."));
        Assert.All(rects, r => Assert.True(r.X + r.Width + 60 <= 420, $"A bar ends at {r.X + r.Width}, leaving no room for its figure inside the 420 px chart."));
    }

    [Fact]
    public void Bars_WithShortLabels_KeepTheirRoom_AndTheChartIsMarkedToKeepItsSize()
    {
        var svg = Svg.Bars("chart", [("村级", 3, "3"), ("街道", 1, "1")]).ToString()!;

        Assert.Contains("class=\"chart\"", svg, StringComparison.Ordinal);
        Assert.True(Svg.BarsFrom(["村级", "街道"], 420) <= 60, "Short labels should not push the bars right.");
    }

    [GeneratedRegex("<rect x=\"([0-9.]+)\" y=\"[0-9.]+\" width=\"([0-9.]+)\"")]
    private static partial Regex RectX();
}
