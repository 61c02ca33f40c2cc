namespace MemLens.Go;

/// <summary>
/// Parses the Go scavenger's trace lines, every format known:
/// <list type="bullet">
/// <item><c>scav # KiB work (bg), # KiB work (eager), # KiB now, #% util [(forced)]</c> — newest runtimes, <c>scavtrace=1</c>;</item>
/// <item><c>scav # KiB work, # KiB total, #% util [(forced)|[controller reset]]</c> — Go 1.17–1.20 (Go 1.19 captured here);</item>
/// <item><c>scav # # KB work, # KB total, #% util [(forced)]</c> — Go 1.14–1.16, the first number a generation;</item>
/// <item><c>scvg#: inuse: #, idle: #, sys: #, released: #, consumed: # (MB)</c> and <c>scvg#: # MB released</c> —
/// Go ≤ 1.13 with <c>gctrace=1</c> (1.13 printed <c>scvg:</c> without the number).</item>
/// </list>
/// </summary>
/// <remarks>
/// <c>scav</c> fields are recognised by their words, not their position: a <c>work</c> field, optional
/// <c>total</c>/<c>now</c>, and the <c>% util</c> field are required, unknown words make the line malformed.
/// Never throws.
/// </remarks>
public static class ScavengeTraceParser
{
    /// <summary>Parses one line known or suspected to be a scavenger line; see <see cref="GoTraceLine.Parse"/> for classifying any line.</summary>
    public static GoTraceLine Parse(ReadOnlySpan<char> line, long timestampMs = 0)
    {
        line = line.Trim(" \t\r\n");
        if (!GoTraceLine.IsScavengeStart(line))
        {
            return GoTraceLine.Other;
        }

        return line.StartsWith("scvg", StringComparison.Ordinal) ? ParseScvg(line, timestampMs) : ParseScav(line, timestampMs);
    }

    private static GoTraceLine ParseScav(ReadOnlySpan<char> line, long timestampMs)
    {
        bool forced = false, controllerReset = false;
        if (line.EndsWith(" (forced)", StringComparison.Ordinal))
        {
            forced = true;
            line = line[..^" (forced)".Length];
        }
        else if (line.EndsWith(" [controller reset]", StringComparison.Ordinal))
        {
            controllerReset = true;
            line = line[..^" [controller reset]".Length];
        }

        var fields = new TraceSpanReader(line["scav ".Length..]);
        long? generation = null, work = null, bg = null, eager = null, heapReleased = null, util = null;
        bool newFormat = false, first = true;
        while (!fields.AtEnd)
        {
            var f = new TraceSpanReader(fields.ReadField());
            if (!f.TryReadInteger(out long value))
            {
                return Bad("a figure is not a number");
            }

            if (first && f.Rest.Length > 1 && f.Rest[0] == ' ' && char.IsAsciiDigit(f.Rest[1]))
            {
                // Go 1.14–1.16: "scav <generation> <work> KB work"
                generation = value;
                f.TrySkip(' ');
                if (!f.TryReadInteger(out value))
                {
                    return Bad("a figure is not a number");
                }
            }

            first = false;
            if (f.TrySkip("% util") && f.AtEnd)
            {
                util = value;
                continue;
            }

            if (!(f.TrySkip(" KiB ") || f.TrySkip(" KB ")) || value > long.MaxValue >> 10)
            {
                return Bad("a size is not '# KiB'");
            }

            long bytes = value << 10;
            ReadOnlySpan<char> word = f.Rest;
            if (word.SequenceEqual("work"))
            {
                work = bytes;
            }
            else if (word.SequenceEqual("work (bg)"))
            {
                bg = bytes;
                newFormat = true;
            }
            else if (word.SequenceEqual("work (eager)"))
            {
                eager = bytes;
                newFormat = true;
            }
            else if (word.SequenceEqual("total") || word.SequenceEqual("now"))
            {
                heapReleased = bytes;
            }
            else
            {
                return Bad("unknown scav field");
            }
        }

        if (util is null || util > int.MaxValue)
        {
            return Bad("no '#% util'");
        }

        if (work is null && bg is null && eager is null)
        {
            return Bad("no 'KiB work'");
        }

        return GoTraceLine.ForScavenge(new GoScavengeTraceEvent(timestampMs, newFormat ? GoScavengeTraceFormat.WorkBackgroundEager : GoScavengeTraceFormat.WorkTotal)
        {
            Generation = generation,
            ReleasedBytes = work ?? ((bg ?? 0) + (eager ?? 0)),
            BackgroundReleasedBytes = bg,
            EagerReleasedBytes = eager,
            HeapReleasedBytes = heapReleased,
            UtilizationPercent = (int)util.Value,
            Forced = forced,
            ControllerReset = controllerReset,
        });
    }

    private static GoTraceLine ParseScvg(ReadOnlySpan<char> line, long timestampMs)
    {
        var r = new TraceSpanReader(line["scvg".Length..]);
        long? generation = null;
        if (r.StartsWithDigit)
        {
            if (!r.TryReadInteger(out long g))
            {
                return Bad("scvg number is not a number");
            }

            generation = g;
        }

        if (!r.TrySkip(": "))
        {
            return Bad("no ':' after scvg");
        }

        if (r.StartsWithDigit)
        {
            if (!r.TryReadInteger(out long released) || !r.TrySkip(" MB released") || !r.AtEnd || released > long.MaxValue >> 20)
            {
                return Bad("not 'scvg#: # MB released'");
            }

            return GoTraceLine.ForScavenge(new GoScavengeTraceEvent(timestampMs, GoScavengeTraceFormat.ScvgReleased)
            {
                Generation = generation,
                ReleasedBytes = released << 20,
            });
        }

        if (!ReadMiB(ref r, "inuse: ", ", ", out long inuse)
            || !ReadMiB(ref r, "idle: ", ", ", out long idle)
            || !ReadMiB(ref r, "sys: ", ", ", out long sys)
            || !ReadMiB(ref r, "released: ", ", ", out long heapReleased)
            || !ReadMiB(ref r, "consumed: ", " (MB)", out long consumed)
            || !r.AtEnd)
        {
            return Bad("not 'scvg#: inuse: #, idle: #, sys: #, released: #, consumed: # (MB)'");
        }

        return GoTraceLine.ForScavenge(new GoScavengeTraceEvent(timestampMs, GoScavengeTraceFormat.ScvgSummary)
        {
            Generation = generation,
            InUseBytes = inuse,
            IdleBytes = idle,
            SysBytes = sys,
            HeapReleasedBytes = heapReleased,
            ConsumedBytes = consumed,
        });
    }

    private static bool ReadMiB(ref TraceSpanReader r, string label, string after, out long bytes)
    {
        bytes = 0;
        if (!r.TrySkip(label) || !r.TryReadInteger(out long mib) || !r.TrySkip(after) || mib > long.MaxValue >> 20)
        {
            return false;
        }

        bytes = mib << 20;
        return true;
    }

    private static GoTraceLine Bad(string reason) => GoTraceLine.Malformed("scavenger trace: " + reason);
}
