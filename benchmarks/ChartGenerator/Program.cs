using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace ChartGenerator;

/// <summary>
/// Reads BenchmarkDotNet's CSV reports (GatherBenchmarks, AsCompletedBenchmarks) and writes an SVG of time and allocated
/// bytes against N, ours next to the BCL twin, on log-log axes.
/// Usage: ChartGenerator [resultsFolder] [output.svg]
/// </summary>
public static class Program
{
    private const int PanelWidth = 420;
    private const int PanelHeight = 260;
    private const int Margin = 60;

    public static int Main(string[] args)
    {
        string results = args.Length > 0 ? args[0] : Path.Combine("benchmarks", "results");
        string output = args.Length > 1 ? args[1] : Path.Combine("benchmarks", "chart.svg");

        List<Row> gather = Read(Path.Combine(results, "AsyncCombinators.Benchmarks.GatherBenchmarks-report.csv"));
        List<Row> asCompleted = Read(Path.Combine(results, "AsyncCombinators.Benchmarks.AsCompletedBenchmarks-report.csv"));

        var panels = new List<Panel>
        {
            new("Gather vs Task.WhenAll<T>: time", "ns", Series(gather, r => r.MeanNs)),
            new("Gather vs Task.WhenAll<T>: allocated", "bytes", Series(gather, r => r.AllocatedBytes)),
            new("AsCompleted vs Task.WhenEach: time", "ns", Series(asCompleted.Where(r => r.Method != "WhenAnyLoop").ToList(), r => r.MeanNs)),
            new("AsCompleted vs Task.WhenEach: allocated", "bytes", Series(asCompleted.Where(r => r.Method != "WhenAnyLoop").ToList(), r => r.AllocatedBytes)),
        };

        File.WriteAllText(output, Render(panels));
        Console.WriteLine($"wrote {output}");
        return 0;
    }

    private static Dictionary<string, List<(double N, double Value)>> Series(List<Row> rows, Func<Row, double> value) =>
        rows.GroupBy(r => r.Method + (r.Pending is null ? string.Empty : r.Pending == true ? " (pending)" : " (complete)"))
            .ToDictionary(g => g.Key, g => g.Select(r => ((double)r.N, value(r))).Where(p => p.Item2 > 0).OrderBy(p => p.Item1).ToList());

    private static List<Row> Read(string path)
    {
        string[] lines = File.ReadAllLines(path);
        string[] header = SplitCsv(lines[0]);
        int Column(string name) => Array.IndexOf(header, name);
        int method = Column("Method"), n = Column("N"), pending = Column("Pending"), mean = Column("Mean"), allocated = Column("Allocated");
        var rows = new List<Row>();
        foreach (string line in lines.Skip(1))
        {
            string[] cells = SplitCsv(line);
            rows.Add(new Row(
                cells[method],
                int.Parse(cells[n], NumberStyles.Integer | NumberStyles.AllowThousands, CultureInfo.InvariantCulture),
                pending >= 0 ? bool.Parse(cells[pending]) : null,
                ParseTime(cells[mean]),
                ParseBytes(cells[allocated])));
        }

        return rows;
    }

    private static string[] SplitCsv(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false;
        foreach (char c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells.ToArray();
    }

    private static double ParseTime(string text) => ParseWithUnit(text, new Dictionary<string, double>
    {
        ["ns"] = 1, ["us"] = 1e3, ["μs"] = 1e3, ["µs"] = 1e3, ["ms"] = 1e6, ["s"] = 1e9,
    });

    private static double ParseBytes(string text) => text.Trim() is "-" or "" ? 0 : ParseWithUnit(text, new Dictionary<string, double>
    {
        ["B"] = 1, ["KB"] = 1024, ["MB"] = 1024 * 1024, ["GB"] = 1024 * 1024 * 1024,
    });

    private static double ParseWithUnit(string text, Dictionary<string, double> units)
    {
        string[] parts = text.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        double value = double.Parse(parts[0], NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        return parts.Length > 1 && units.TryGetValue(parts[1], out double factor) ? value * factor : value;
    }

    private static string Render(List<Panel> panels)
    {
        string[] colors = { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b" };
        int width = (2 * (PanelWidth + (2 * Margin))) + 20;
        int height = (2 * (PanelHeight + (2 * Margin))) + 40;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"11\">\n");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.Append("<text x=\"10\" y=\"20\" font-size=\"14\">AsyncCombinators vs the BCL (log-log; from benchmarks/results CSV)</text>\n");
        for (int p = 0; p < panels.Count; p++)
        {
            Panel panel = panels[p];
            double ox = 10 + ((p % 2) * (PanelWidth + (2 * Margin))) + Margin;
            double oy = 40 + ((p / 2) * (PanelHeight + (2 * Margin))) + Margin;
            var points = panel.Series.Values.SelectMany(s => s).ToList();
            if (points.Count == 0)
            {
                continue;
            }

            double minX = Math.Log10(points.Min(pt => pt.N)), maxX = Math.Log10(points.Max(pt => pt.N));
            double minY = Math.Floor(Math.Log10(points.Min(pt => pt.Value))), maxY = Math.Ceiling(Math.Log10(points.Max(pt => pt.Value)));
            if (maxX - minX < 1e-9)
            {
                maxX = minX + 1;
            }

            if (maxY - minY < 1e-9)
            {
                maxY = minY + 1;
            }

            double X(double n) => ox + ((Math.Log10(n) - minX) / (maxX - minX) * PanelWidth);
            double Y(double v) => oy + PanelHeight - ((Math.Log10(v) - minY) / (maxY - minY) * PanelHeight);

            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{ox}\" y=\"{oy - 10}\" font-size=\"13\">{Escape(panel.Title)}</text>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{ox}\" y=\"{oy}\" width=\"{PanelWidth}\" height=\"{PanelHeight}\" fill=\"none\" stroke=\"#999\"/>\n");
            for (double e = minY; e <= maxY; e++)
            {
                double y = Y(Math.Pow(10, e));
                svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{ox}\" y1=\"{y:F1}\" x2=\"{ox + PanelWidth}\" y2=\"{y:F1}\" stroke=\"#eee\"/><text x=\"{ox - 5}\" y=\"{y + 4:F1}\" text-anchor=\"end\">1e{e} {panel.Unit}</text>\n");
            }

            foreach (double n in points.Select(pt => pt.N).Distinct().OrderBy(n => n))
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(n):F1}\" y=\"{oy + PanelHeight + 15}\" text-anchor=\"middle\">N={n}</text>\n");
            }

            int c = 0;
            foreach (var (name, series) in panel.Series.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                string color = colors[c % colors.Length];
                string dash = name.Contains("(complete)", StringComparison.Ordinal) ? " stroke-dasharray=\"5,3\"" : string.Empty;
                string path = string.Join(" ", series.Select((pt, i) => FormattableString.Invariant($"{(i == 0 ? "M" : "L")}{X(pt.N):F1},{Y(pt.Value):F1}")));
                svg.Append(CultureInfo.InvariantCulture, $"<path d=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>\n");
                foreach (var pt in series)
                {
                    svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(pt.N):F1}\" cy=\"{Y(pt.Value):F1}\" r=\"3\" fill=\"{color}\"/>\n");
                }

                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{ox + 8}\" y=\"{oy + 14 + (c * 13)}\" fill=\"{color}\">{Escape(name)}</text>\n");
                c++;
            }
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private sealed record Row(string Method, int N, bool? Pending, double MeanNs, double AllocatedBytes);

    private sealed record Panel(string Title, string Unit, Dictionary<string, List<(double N, double Value)>> Series);
}
