using System.Text.Json;
using Xunit;

namespace MemLens.EndToEnd.Tests;

/// <summary>`memlens demo` starts the bundled workload and watches it; with a leak the figures grow.</summary>
public sealed class DemoCommandTests
{
    [Fact]
    public async Task Demo_leak_prints_samples_whose_anonymous_memory_grows()
    {
        var (code, stdout, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(90),
            "demo", "--scenario", "leak", "--rate", "16", "--json-lines", "--duration", "6s");
        Assert.True(code == 0, stderr);
        var samples = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l)).ToList();
        try
        {
            Assert.True(samples.Count >= 4, $"expected ~6 samples, got {samples.Count}");
            long Anon(JsonDocument d) => d.RootElement.GetProperty("metrics").GetProperty("process.memory.anon").GetInt64();
            long grown = Anon(samples[^1]) - Anon(samples[0]);
            Assert.True(grown > 32L * 1024 * 1024, $"anonymous memory grew by only {grown} bytes in ~5 s at 16 MiB/s");
        }
        finally
        {
            samples.ForEach(d => d.Dispose());
        }
    }
}
