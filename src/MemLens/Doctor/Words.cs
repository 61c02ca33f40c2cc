using System.Globalization;
using MemLens.Formatting;

namespace MemLens.Doctor;

/// <summary>How the doctor writes figures for people: IEC bytes, UTC clock times, rates, durations.</summary>
internal static class Words
{
    public static string Bytes(double bytes) => ByteSize.Format(bytes);

    /// <summary>A clock time, <c>06:31:05</c> (UTC); ranges in one report rarely cross midnight, and the report's header gives the date.</summary>
    public static string Clock(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary><c>06:31:05–06:34:25 UTC</c>.</summary>
    public static string Range(long fromMs, long toMs) => Clock(fromMs) + "–" + Clock(toMs) + " UTC";

    public static string Duration(double seconds) => Durations.Format(TimeSpan.FromSeconds(Math.Max(0, seconds)));

    public static string DurationMs(long fromMs, long toMs) => Duration((toMs - fromMs) / 1000.0);

    /// <summary>A growth rate in the unit that gives a readable number: per second, per minute or per hour.</summary>
    public static string Rate(double bytesPerSecond)
    {
        double abs = Math.Abs(bytesPerSecond);
        return abs >= 1 << 20 ? ByteSize.FormatDelta(bytesPerSecond) + "/s"
            : abs * 60 >= 1 << 20 ? ByteSize.FormatDelta(bytesPerSecond * 60) + "/min"
            : ByteSize.FormatDelta(bytesPerSecond * 3600) + "/h";
    }

    /// <summary>A speed (no sign), e.g. <c>32 MiB/s</c>.</summary>
    public static string Speed(double bytesPerSecond) => ByteSize.Format(bytesPerSecond) + "/s";

    public static string Percent(double share) => (share * 100).ToString("0", CultureInfo.InvariantCulture) + " %";

    public static string Number(double value, string format = "0.##") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>The PID from the facts (<c>target.pid</c>) for commands the user can paste, or <c>&lt;pid&gt;</c>.</summary>
    public static string Pid(DoctorData data) => data.Fact("target.pid") ?? "<pid>";
}
