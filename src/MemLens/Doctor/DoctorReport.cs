using System.Text.Json;

namespace MemLens.Doctor;

/// <summary>What the doctor concluded over one time range of one process's figures.</summary>
/// <param name="FromMs">Start of the range judged (Unix ms).</param>
/// <param name="ToMs">End of the range judged (Unix ms).</param>
/// <param name="Findings">Most important first. Never empty: at least <c>healthy</c> or <c>not-enough-data</c>.</param>
public sealed record DoctorReport(long FromMs, long ToMs, IReadOnlyList<Finding> Findings)
{
    /// <summary>True when the only finding is <see cref="FindingIds.Healthy"/>.</summary>
    public bool IsHealthy => Findings.Count == 1 && Findings[0].Id == FindingIds.Healthy;

    /// <summary>The report in plain words for a terminal, wrapped at <paramref name="width"/> columns (see <see cref="DoctorText"/>).</summary>
    public string ToText(int width = DoctorText.DefaultWidth) => DoctorText.Format(this, width);

    /// <summary>Writes <c>{"from","to","healthy","findings":[…]}</c> (see <see cref="Finding.WriteJson"/>).</summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteNumber("from", FromMs);
        writer.WriteNumber("to", ToMs);
        writer.WriteBoolean("healthy", IsHealthy);
        writer.WriteStartArray("findings");
        foreach (var finding in Findings)
        {
            finding.WriteJson(writer);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
