using System.Globalization;
using System.Text;

namespace MemLens.Doctor;

/// <summary>
/// The doctor's report in plain words for a terminal (what <c>memlens doctor</c> prints): a header with the range
/// judged, then each finding with its confidence, summary, evidence with its time range, next steps and where it is
/// explained. Words are wrapped to a width with hanging indents; nothing but plain text (no colour codes).
/// </summary>
public static class DoctorText
{
    /// <summary>Default line width: readable in an 80–120 column terminal.</summary>
    public const int DefaultWidth = 100;

    /// <summary>Formats <paramref name="report"/>; lines end with '\n'.</summary>
    public static string Format(DoctorReport report, int width = DefaultWidth)
    {
        ArgumentNullException.ThrowIfNull(report);
        width = Math.Max(40, width);
        var text = new StringBuilder();
        var from = DateTimeOffset.FromUnixTimeMilliseconds(report.FromMs).UtcDateTime;
        text.Append("Memory doctor, ")
            .Append(from.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))
            .Append('–').Append(Words.Clock(report.ToMs)).Append(" UTC (").Append(Words.DurationMs(report.FromMs, report.ToMs)).Append(")\n");
        if (report.IsHealthy)
        {
            text.Append("Verdict: healthy.\n");
        }
        else if (report.Findings.Count > 1)
        {
            text.Append("Found ").Append(report.Findings.Count.ToString(CultureInfo.InvariantCulture)).Append(": ")
                .Append(string.Join(", ", report.Findings.Select(f => f.Title.ToLowerInvariant()))).Append(".\n");
        }

        int number = 0;
        foreach (var finding in report.Findings)
        {
            text.Append('\n');
            string head = report.Findings.Count > 1 ? $"{++number}. " : "";
            Wrap(text, $"{head}{finding.Title} ({ConfidenceWords(finding.Confidence)})", "", "   ", width);
            Wrap(text, finding.Summary, "   ", "   ", width);
            if (finding.Evidence.Count > 0)
            {
                text.Append("   Evidence, ").Append(Words.Range(finding.FromMs, finding.ToMs)).Append(":\n");
                foreach (string line in finding.Evidence)
                {
                    Wrap(text, line, "   - ", "     ", width);
                }
            }

            if (finding.NextSteps.Count > 0)
            {
                text.Append("   Next:\n");
                foreach (string step in finding.NextSteps)
                {
                    Wrap(text, step, "   - ", "     ", width);
                }
            }

            text.Append("   More: ").Append(finding.DocsAnchor).Append('\n');
        }

        return text.ToString();
    }

    private static string ConfidenceWords(Confidence confidence) => confidence switch
    {
        Confidence.High => "high confidence",
        Confidence.Medium => "medium confidence",
        _ => "low confidence: confirm before acting",
    };

    /// <summary>Appends <paramref name="words"/> wrapped at <paramref name="width"/>: the first line after <paramref name="first"/>, the others after <paramref name="rest"/>. A word longer than a line (a URL, a command) is not broken.</summary>
    private static void Wrap(StringBuilder text, string words, string first, string rest, int width)
    {
        text.Append(first);
        int column = first.Length;
        bool lineHasWord = false;
        foreach (string word in words.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (lineHasWord && column + 1 + word.Length > width)
            {
                text.Append('\n').Append(rest);
                column = rest.Length;
                lineHasWord = false;
            }

            if (lineHasWord)
            {
                text.Append(' ');
                column++;
            }

            text.Append(word);
            column += word.Length;
            lineHasWord = true;
        }

        text.Append('\n');
    }
}
