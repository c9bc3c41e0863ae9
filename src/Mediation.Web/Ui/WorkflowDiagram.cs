using System.Globalization;
using System.Net;
using System.Text;
using Mediation.Workflows.Definitions;
using Microsoft.AspNetCore.Html;

namespace Mediation.Web.Ui;

/// <summary>The definition drawn as a diagram: states in columns by how far they are from registration, actions as arrows.</summary>
public static class WorkflowDiagram
{
    public static IHtmlContent Draw(WorkflowDefinition workflow, UiText text)
    {
        var depth = new Dictionary<string, int>(StringComparer.Ordinal) { [workflow.InitialState.Id] = 0 };
        var queue = new Queue<string>([workflow.InitialState.Id]);
        while (queue.TryDequeue(out var state))
        {
            foreach (var t in workflow.Transitions.Where(t => t.From.Contains(state)))
            {
                if (depth.TryAdd(t.To, depth[state] + 1))
                    queue.Enqueue(t.To);
            }
        }
        var columns = depth.GroupBy(d => d.Value).OrderBy(g => g.Key).Select(g => g.Select(d => d.Key).ToList()).ToList();
        const int boxW = 120, boxH = 34, colW = 200, rowH = 70;
        var at = new Dictionary<string, (double X, double Y)>(StringComparer.Ordinal);
        for (var c = 0; c < columns.Count; c++)
        {
            for (var r = 0; r < columns[c].Count; r++)
                at[columns[c][r]] = (20 + c * colW, 20 + r * rowH);
        }
        var width = 40 + columns.Count * colW;
        var height = 40 + columns.Max(c => c.Count) * rowH;
        var svg = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<svg id=\"workflow-diagram\" role=\"img\" viewBox=\"0 0 {width} {height}\" width=\"100%\" xmlns=\"http://www.w3.org/2000/svg\">");
        svg.Append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#7a8290\"/></marker></defs>");
        foreach (var t in workflow.Transitions.Where(t => !t.IsRegistration))
        {
            foreach (var from in t.From.Where(at.ContainsKey))
            {
                var (x1, y1) = at[from];
                var (x2, y2) = at[t.To];
                var (sx, sy, ex, ey) = (x1 + boxW, y1 + boxH / 2.0, x2, y2 + boxH / 2.0);
                if (x2 <= x1)
                    (sx, ex, ey) = (x1 + boxW / 2.0, x2 + boxW / 2.0, y2 + boxH);
                svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{sx:F0}\" y1=\"{sy:F0}\" x2=\"{ex:F0}\" y2=\"{ey:F0}\" stroke=\"#9aa1ad\" marker-end=\"url(#arrow)\"/>");
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{(sx + ex) / 2:F0}\" y=\"{(sy + ey) / 2 - 3:F0}\" font-size=\"10\" fill=\"#5a6372\" text-anchor=\"middle\">{WebUtility.HtmlEncode(text.Of(t.Title))}</text>");
            }
        }
        foreach (var state in workflow.States.Where(s => at.ContainsKey(s.Id)))
        {
            var (x, y) = at[state.Id];
            var fill = state.IsFinal ? "#e8f4ea" : state.ClockRuns ? "#fff7e6" : "#eef1f5";
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{y}\" width=\"{boxW}\" height=\"{boxH}\" rx=\"5\" fill=\"{fill}\" stroke=\"#8c1d18\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + boxW / 2}\" y=\"{y + 22}\" font-size=\"13\" text-anchor=\"middle\">{WebUtility.HtmlEncode(text.Of(state.Title))}</text>");
        }
        return new HtmlString(svg.Append("</svg>").ToString());
    }
}
