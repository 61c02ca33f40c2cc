namespace MemLens.Recording;

/// <summary>
/// Rows per resolution and event bytes in the file, kept by the writer as it inserts and the size bound as it
/// reduces (a recorder always starts from an empty file, so no scan is needed). Only used to choose which tier
/// to reduce: the stopping rule reads the real page counts.
/// </summary>
internal sealed class TierCounts
{
    /// <summary>Measured cost of one raw sample on disk, b-tree overhead and page slack included (docs/recording.md: 19.6).</summary>
    public const int RawRowBytes = 20;

    /// <summary>Measured cost of one minute or hour bucket on disk (it carries min, max and count as well: 41–44).</summary>
    public const int BucketRowBytes = 42;

    /// <summary>Bytes an event costs beyond its text and fields (t, type, id, index entry).</summary>
    public const int EventOverheadBytes = 32;

    public long RawRows { get; set; }

    public long MinuteRows { get; set; }

    public long HourRows { get; set; }

    public long EphemeralEvents { get; set; }

    public long EphemeralEventBytes { get; set; }

    public long OtherEvents { get; set; }

    public long OtherEventBytes { get; set; }

    public long RawBytes => RawRows * RawRowBytes;

    public long MinuteBytes => MinuteRows * BucketRowBytes;

    public long HourBytes => HourRows * BucketRowBytes;

    public long EventBytes => EphemeralEventBytes + OtherEventBytes;

    public void AddRows(long span, long rows)
    {
        switch (span)
        {
            case RecordingFormat.RawSpanMs:
                RawRows += rows;
                break;
            case RecordingFormat.MinuteSpanMs:
                MinuteRows += rows;
                break;
            default:
                HourRows += rows;
                break;
        }
    }

    public void AddEvent(bool ephemeral, long bytes)
    {
        if (ephemeral)
        {
            EphemeralEvents++;
            EphemeralEventBytes += bytes;
        }
        else
        {
            OtherEvents++;
            OtherEventBytes += bytes;
        }
    }

    public TierCounts Clone() => (TierCounts)MemberwiseClone();

    public void CopyFrom(TierCounts other)
    {
        RawRows = other.RawRows;
        MinuteRows = other.MinuteRows;
        HourRows = other.HourRows;
        EphemeralEvents = other.EphemeralEvents;
        EphemeralEventBytes = other.EphemeralEventBytes;
        OtherEvents = other.OtherEvents;
        OtherEventBytes = other.OtherEventBytes;
    }
}
