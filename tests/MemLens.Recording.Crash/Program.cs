using System.Globalization;
using MemLens.Events;
using MemLens.Metrics;
using MemLens.Recording;
using MemLens.Storage;

// Records a store that fills as fast as the clock allows (30 series, one round per millisecond, values = the
// round's number) with a 200 ms flush interval, for ever. The crash test kills it with SIGKILL and checks the file.
// Prints "recording" once the first values are on disk.
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: MemLens.Recording.Crash <recording-path>");
    return 2;
}

var store = new MetricStore(new MetricStoreOptions { MemoryBudgetBytes = 256L << 20 });
var metrics = MetricCatalog.All.Take(30).ToArray();
var facts = new Dictionary<string, string> { [RecordingFacts.MemLensCommand] = "crash-test" };
var recorder = Recorder.Start(store, args[0], facts, new RecorderOptions { FlushInterval = TimeSpan.FromMilliseconds(200) });
long round = 0;
long last = 0;
bool announced = false;
while (true)
{
    long t = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    if (t <= last)
    {
        Thread.Sleep(1);
        continue;
    }

    last = t;
    round++;
    foreach (var metric in metrics)
    {
        store.Append(metric, t, round);
    }

    if (round % 100 == 0)
    {
        store.AddEvent(new NoteEvent(t, "note", "round " + round.ToString(CultureInfo.InvariantCulture)));
    }

    if (round % 250 == 0)
    {
        long written = recorder.ValuesWritten;
        if (!announced && written > 0)
        {
            Console.WriteLine("recording");
            announced = true;
        }

        // What the test prints when it fails: how far recording got, and why not further.
        Console.Error.WriteLine($"round {round}: {written} values written, {recorder.BytesOnDisk} bytes, error {recorder.LastError ?? "none"}");
    }
}
