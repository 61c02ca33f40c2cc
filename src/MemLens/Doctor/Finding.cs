using System.Text.Json;

namespace MemLens.Doctor;

/// <summary>How sure the doctor is of a finding.</summary>
public enum Confidence
{
    /// <summary>Consistent with the data, but other explanations remain: confirm before acting.</summary>
    Low,

    /// <summary>The rule's signs are clearly present over the window.</summary>
    Medium,

    /// <summary>Several independent signs agree over a long enough window.</summary>
    High,
}

/// <summary>
/// One thing the doctor found: what is happening, the figures that show it and when, how sure it is, and what to do
/// next to confirm or fix it.
/// </summary>
/// <param name="Id">Stable identifier, e.g. <c>managed-leak</c> (see <see cref="FindingIds"/>); also the anchor in docs/doctor.md.</param>
/// <param name="Title">A few words, e.g. "Managed leak".</param>
/// <param name="Summary">One or two plain sentences for people: what is happening and why it matters.</param>
/// <param name="Confidence">How sure the doctor is.</param>
/// <param name="Evidence">The figures behind it, one line each, e.g. "live heap after full GCs rose from 12 MiB to 96 MiB (+1.4 MiB/min)".</param>
/// <param name="FromMs">Start of the time range the evidence covers (Unix ms).</param>
/// <param name="ToMs">End of the time range the evidence covers (Unix ms).</param>
/// <param name="NextSteps">What to do to confirm or fix it, one step per line, commands spelled out.</param>
public sealed record Finding(
    string Id,
    string Title,
    string Summary,
    Confidence Confidence,
    IReadOnlyList<string> Evidence,
    long FromMs,
    long ToMs,
    IReadOnlyList<string> NextSteps)
{
    /// <summary>The section of docs/doctor.md that explains this finding and its rule.</summary>
    public string DocsAnchor => "docs/doctor.md#" + Id;

    /// <summary>
    /// Writes <c>{"id","title","summary","confidence":"low|medium|high","evidence":[…],"from","to","next_steps":[…],"docs"}</c>;
    /// from and to are Unix ms.
    /// </summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("id", Id);
        writer.WriteString("title", Title);
        writer.WriteString("summary", Summary);
        writer.WriteString("confidence", Confidence switch
        {
            Confidence.High => "high",
            Confidence.Medium => "medium",
            _ => "low",
        });
        writer.WriteStartArray("evidence");
        foreach (string line in Evidence)
        {
            writer.WriteStringValue(line);
        }

        writer.WriteEndArray();
        writer.WriteNumber("from", FromMs);
        writer.WriteNumber("to", ToMs);
        writer.WriteStartArray("next_steps");
        foreach (string step in NextSteps)
        {
            writer.WriteStringValue(step);
        }

        writer.WriteEndArray();
        writer.WriteString("docs", DocsAnchor);
        writer.WriteEndObject();
    }
}

/// <summary>The findings the doctor can name.</summary>
public static class FindingIds
{
    /// <summary>Live heap after full GCs keeps rising.</summary>
    public const string ManagedLeak = "managed-leak";

    /// <summary>RSS minus runtime-committed memory keeps rising while the heap does not.</summary>
    public const string NativeGrowth = "native-growth";

    /// <summary>Committed or idle-but-not-released memory stays far above the live heap after load falls.</summary>
    public const string RuntimeRetention = "runtime-retention";

    /// <summary>Released memory still counted in RSS as LazyFree (MADV_FREE).</summary>
    public const string LazyFree = "lazy-free";

    /// <summary>Many ~64 MiB glibc malloc arenas while the managed heap is flat.</summary>
    public const string GlibcArenas = "glibc-arenas";

    /// <summary>A large fragmented or pinned share of the GC heap.</summary>
    public const string Fragmentation = "fragmentation";

    /// <summary>Usage near the container's memory limit.</summary>
    public const string ContainerPressure = "container-pressure";

    /// <summary>Nothing wrong: flat, or rose with load and came back.</summary>
    public const string Healthy = "healthy";

    /// <summary>Too little data to judge (too short a window, or no memory figures at all).</summary>
    public const string NotEnoughData = "not-enough-data";

    /// <summary>Every id, in the order docs/doctor.md explains them.</summary>
    public static IReadOnlyList<string> All { get; } =
        [ManagedLeak, NativeGrowth, RuntimeRetention, LazyFree, GlibcArenas, Fragmentation, ContainerPressure, Healthy, NotEnoughData];
}
