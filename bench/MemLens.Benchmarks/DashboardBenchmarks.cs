using System.Buffers;
using System.IO.Compression;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using MemLens.AspNetCore.Dashboard;
using MemLens.DashboardFixture;
using MemLens.Storage;

namespace MemLens.Benchmarks;

/// <summary>
/// The server's share of the dashboard's first paint with 24 h of 1 Hz history: the series grid for every chart
/// at 470 points, the events of the day, and compressing them for the wire.
/// </summary>
[MemoryDiagnoser]
public class DashboardBenchmarks
{
    // What the page asks for on a 1400 px wide screen with two charts a row: about one point per pixel.
    private const int Points = 470;

    private MetricStore _store = null!;
    private long _end;
    private byte[] _seriesJson = [];

    [GlobalSetup]
    public void Setup()
    {
        _end = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        _store = DayOfHistory.Create(_end);
        _seriesJson = SeriesJson();
    }

    [Benchmark]
    public int Series24h() => SeriesJson().Length;

    [Benchmark]
    public int Events24h()
    {
        var events = _store.GetEvents(_end - 86_400_000, _end);
        var kept = DashboardEndpoints.Thin(events, 2000); // what the page asks for
        return ApiJson.Serialize(w => ApiJson.WriteEvents(w, kept, events.Count > kept.Count)).Length;
    }

    [Benchmark]
    [Arguments(CompressionLevel.Fastest)]
    [Arguments(CompressionLevel.Optimal)]
    public long BrotliSeries(CompressionLevel level)
    {
        using var output = new MemoryStream();
        using (var br = new BrotliStream(output, level, leaveOpen: true))
        {
            br.Write(_seriesJson);
        }

        return output.Length;
    }

    private byte[] SeriesJson()
    {
        var buffer = new ArrayBufferWriter<byte>(256 * 1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            SeriesGrid.Write(writer, _store, DashboardCharts.SeriesIds, _end - 86_400_000, _end, Points, 1000);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
