namespace MemLens.Procfs;

/// <summary>
/// Parses <c>/proc/&lt;pid&gt;/status</c> without allocating. Lines it does not know, cannot parse or
/// that are cut short are skipped; if a key appears twice the first wins. Never throws.
/// </summary>
public static class ProcStatusParser
{
    /// <summary>Parses the whole content of a status file.</summary>
    public static ProcStatus Parse(ReadOnlySpan<byte> content)
    {
        var status = default(ProcStatus);
        while (ProcText.NextLine(ref content, out var line))
        {
            if (ProcText.SplitKey(line, out var key, out var value))
            {
                ParseLine(ref status, key, value);
            }
        }

        return status;
    }

    // Dispatch on key length first: status has ~55 lines and only 13 matter, so most lines are
    // rejected after one length compare instead of a dozen span comparisons.
    private static void ParseLine(ref ProcStatus s, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        switch (key.Length)
        {
            case 5:
                if (key.SequenceEqual("VmRSS"u8)) { SetKb(ref s, ProcStatusFields.VmRss, value); }
                else if (key.SequenceEqual("VmHWM"u8)) { SetKb(ref s, ProcStatusFields.VmHwm, value); }
                else if (key.SequenceEqual("VmPTE"u8)) { SetKb(ref s, ProcStatusFields.VmPte, value); }
                else if (key.SequenceEqual("VmStk"u8)) { SetKb(ref s, ProcStatusFields.VmStk, value); }
                else if (key.SequenceEqual("VmExe"u8)) { SetKb(ref s, ProcStatusFields.VmExe, value); }
                else if (key.SequenceEqual("State"u8)) { SetState(ref s, value); }
                break;
            case 6:
                if (key.SequenceEqual("VmSize"u8)) { SetKb(ref s, ProcStatusFields.VmSize, value); }
                else if (key.SequenceEqual("VmSwap"u8)) { SetKb(ref s, ProcStatusFields.VmSwap, value); }
                else if (key.SequenceEqual("VmData"u8)) { SetKb(ref s, ProcStatusFields.VmData, value); }
                break;
            case 7:
                if (key.SequenceEqual("RssAnon"u8)) { SetKb(ref s, ProcStatusFields.RssAnon, value); }
                else if (key.SequenceEqual("RssFile"u8)) { SetKb(ref s, ProcStatusFields.RssFile, value); }
                else if (key.SequenceEqual("Threads"u8)) { SetCount(ref s, value); }
                break;
            case 8:
                if (key.SequenceEqual("RssShmem"u8)) { SetKb(ref s, ProcStatusFields.RssShmem, value); }
                break;
        }
    }

    private static void SetKb(ref ProcStatus s, ProcStatusFields field, ReadOnlySpan<byte> value)
    {
        if ((s.Present & field) != 0 || !ProcText.TryParseKibibytes(value, out long bytes))
        {
            return;
        }

        s.Present |= field;
        switch (field)
        {
            case ProcStatusFields.VmRss: s.VmRss = bytes; break;
            case ProcStatusFields.VmSize: s.VmSize = bytes; break;
            case ProcStatusFields.VmHwm: s.VmHwm = bytes; break;
            case ProcStatusFields.VmSwap: s.VmSwap = bytes; break;
            case ProcStatusFields.VmPte: s.VmPte = bytes; break;
            case ProcStatusFields.VmData: s.VmData = bytes; break;
            case ProcStatusFields.VmStk: s.VmStk = bytes; break;
            case ProcStatusFields.VmExe: s.VmExe = bytes; break;
            case ProcStatusFields.RssAnon: s.RssAnon = bytes; break;
            case ProcStatusFields.RssFile: s.RssFile = bytes; break;
            case ProcStatusFields.RssShmem: s.RssShmem = bytes; break;
        }
    }

    private static void SetCount(ref ProcStatus s, ReadOnlySpan<byte> value)
    {
        if (!s.Has(ProcStatusFields.Threads) && ProcText.TryParseCount(value, out long count))
        {
            s.Present |= ProcStatusFields.Threads;
            s.Threads = count;
        }
    }

    // "State:\tS (sleeping)": the letter is what matters.
    private static void SetState(ref ProcStatus s, ReadOnlySpan<byte> value)
    {
        var trimmed = ProcText.Trim(value);
        if (!s.Has(ProcStatusFields.State) && !trimmed.IsEmpty && char.IsAsciiLetter((char)trimmed[0]))
        {
            s.Present |= ProcStatusFields.State;
            s.State = trimmed[0];
        }
    }
}
