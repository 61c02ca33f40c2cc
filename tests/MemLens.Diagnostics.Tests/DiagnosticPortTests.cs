using System.Diagnostics;
using System.Globalization;
using MemLens.Diagnostics.Attach;
using MemLens.Procfs;
using Xunit;

namespace MemLens.Diagnostics.Tests;

/// <summary>Which diagnostic socket belongs to a PID: the one whose key is the start time of the process using it now.</summary>
public sealed class DiagnosticPortTests
{
    [Fact]
    public void This_processs_own_socket_is_found_and_its_key_is_its_start_time()
    {
        Assert.True(ProcStatParser.TryReadStartTime(Environment.ProcessId, out long start));
        string? socket = DiagnosticPort.FindSocket(Environment.ProcessId);
        Assert.NotNull(socket);
        Assert.EndsWith($"-{Environment.ProcessId}-{start}-socket", socket, StringComparison.Ordinal);
    }

    [Fact]
    public void A_socket_left_behind_by_an_earlier_process_with_the_same_pid_is_not_found()
    {
        using var sleep = Process.Start(new ProcessStartInfo("sleep", ["60"]) { UseShellExecute = false })!;
        try
        {
            Assert.True(ProcStatParser.TryReadStartTime(sleep.Id, out long start));
            string stale = Socket(sleep.Id, start - 250);
            File.WriteAllBytes(stale, []);
            try
            {
                Assert.Null(DiagnosticPort.FindSocket(sleep.Id));

                string own = Socket(sleep.Id, start);
                File.WriteAllBytes(own, []);
                try
                {
                    Assert.Equal(own, DiagnosticPort.FindSocket(sleep.Id));
                }
                finally
                {
                    File.Delete(own);
                }
            }
            finally
            {
                File.Delete(stale);
            }
        }
        finally
        {
            sleep.Kill();
            sleep.WaitForExit();
        }
    }

    private static string Socket(int pid, long key) =>
        Path.Combine(DiagnosticPort.TempDirectory, $"dotnet-diagnostic-{pid.ToString(CultureInfo.InvariantCulture)}-{key.ToString(CultureInfo.InvariantCulture)}-socket");
}
