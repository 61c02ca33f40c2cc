using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MemLens.Procfs;

/// <summary>
/// CPU time used by the calling thread (user + system), from clock_gettime(CLOCK_THREAD_CPUTIME_ID). .NET has
/// only the whole process's processor time; the work a /proc read makes the kernel do is charged to the reading
/// thread as system time, so this is what a read costs, while wall time also counts the time the thread waited
/// for a core on a busy machine.
/// </summary>
internal static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3; // Linux, all architectures

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>The calling thread's CPU time, or null where the clock cannot be read.</summary>
    public static TimeSpan? Now()
    {
        if (!OperatingSystem.IsLinux() || ClockGetTime(ClockThreadCpuTimeId, out var ts) != 0)
        {
            return null;
        }

        return TimeSpan.FromTicks((ts.Seconds * TimeSpan.TicksPerSecond) + (ts.Nanoseconds / 100));
    }

    /// <summary>Starts measuring one piece of work on this thread.</summary>
    public static Measurement Start() => new(Now(), Stopwatch.GetTimestamp());

    /// <summary>A start point: CPU time where the clock works, wall time otherwise.</summary>
    public readonly record struct Measurement(TimeSpan? CpuStart, long WallStart)
    {
        /// <summary>The thread's CPU time since <see cref="Start"/>; the wall time where the CPU clock is missing.</summary>
        public TimeSpan Elapsed() =>
            CpuStart is { } start && Now() is { } now ? now - start : Stopwatch.GetElapsedTime(WallStart);
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clockId, out TimeSpec time);
}
