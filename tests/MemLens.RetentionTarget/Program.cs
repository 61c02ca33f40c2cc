// The retention tests' target: builds known structures, prints `ready` with the figures the tests check against,
// then waits for stdin to close. Usage: MemLens.RetentionTarget <count> <payload bytes>
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

int count = int.Parse(args[0], CultureInfo.InvariantCulture);
int payload = int.Parse(args[1], CultureInfo.InvariantCulture);

// Built in methods of their own, so no temporary of this frame (kept alive in a Debug build) holds them.
Structures.Build(count, payload);
var (strong, pinned) = Structures.Handles(payload);

// A thread parked with a local (a stack root) and a thread-static of its own.
using var parked = new ManualResetEventSlim();
using var release = new ManualResetEventSlim();
var thread = new Thread(() =>
{
    var local = new StackHeld(new byte[payload]);
    PerThread.Value = new ThreadHeld(new byte[payload]);
    parked.Set();
    release.Wait();
    GC.KeepAlive(local);
})
{ IsBackground = true };
thread.Start();
parked.Wait();

GC.Collect();
GC.WaitForPendingFinalizers();
GC.Collect();

// Allocated after the last GC, between garbage: the snapshot's own GC compacts them (they move), which tells
// whether the walk reports addresses from before or after its GC compacts.
Structures.Late(count);

// A byte[] of n bytes takes 24 + n bytes rounded up to 8 on 64-bit.
long payloadObject = (24L + payload + 7) / 8 * 8;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"ready count={count} payload_object={payloadObject} payloads={count * payloadObject} pid={Environment.ProcessId} holder={Structures.HolderAddress():x}"));
Console.Out.Flush();

// "addr": where Moved.Holder is now (it moves when a GC compacts); "grow event|cache N": a leak of N more payloads
// through the static event or the static cache; end of input: exit.
while (Console.ReadLine() is { } command)
{
    if (command == "addr")
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"holder={Structures.HolderAddress():x}"));
        Console.Out.Flush();
    }
    else if (command.Split(' ') is ["grow", var what and ("event" or "cache"), var more] && int.TryParse(more, CultureInfo.InvariantCulture, out int n))
    {
        Structures.Grow(what, n, payload);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"grown {what} {n}"));
        Console.Out.Flush();
    }
}

release.Set();
thread.Join();
strong.Free();
pinned.Free();
GC.KeepAlive(Hub.Count);

internal static class Hub
{
    public static event EventHandler? Changed;

    public static int Count => Changed?.GetInvocationList().Length ?? 0;
}

internal sealed class Session(byte[] payload)
{
    public byte[] Payload { get; } = payload;

    public void OnChanged(object? sender, EventArgs e) => GC.KeepAlive(Payload);
}

internal static class Catalog
{
    public static readonly Dictionary<int, Entry> Cache = [];
}

internal sealed record Entry(int Id, byte[] Payload);

internal static class Tags
{
    public static readonly List<Key> Keys = [];
    public static readonly ConditionalWeakTable<Key, Attached> Table = [];
}

internal sealed class Key;

internal sealed record Attached(byte[] Payload);

internal sealed record HandleHeld(byte[] Payload);

internal sealed record StackHeld(byte[] Payload);

internal sealed record ThreadHeld(byte[] Payload);

internal static class Moved
{
    public static readonly List<Entry> Items = [];
    public static Entry? Holder;
}

internal static class PerThread
{
    [ThreadStatic]
    public static ThreadHeld? Value;
}

internal static class Structures
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Build(int count, int payload)
    {
        // A static event with `count` subscribers, each a Session holding its own payload.
        for (int i = 0; i < count; i++)
        {
            var session = new Session(new byte[payload]);
            Hub.Changed += session.OnChanged;
        }

        // A static cache of `count` entries, each holding its own payload.
        for (int i = 0; i < count; i++)
        {
            Catalog.Cache[i] = new Entry(i, new byte[payload]);
        }

        // A ConditionalWeakTable: each key (held by a static list) carries an Attached value with a payload.
        for (int i = 0; i < count; i++)
        {
            var key = new Key();
            Tags.Keys.Add(key);
            Tags.Table.Add(key, new Attached(new byte[payload]));
        }
    }

    /// <summary>A leak: <paramref name="n"/> more Sessions subscribed to the event, or entries in the cache.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Grow(string what, int n, int payload)
    {
        for (int i = 0; i < n; i++)
        {
            if (what == "event")
            {
                Hub.Changed += new Session(new byte[payload]).OnChanged;
            }
            else
            {
                int id = Catalog.Cache.Count;
                Catalog.Cache[id] = new Entry(id, new byte[payload]);
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Late(int count)
    {
        var garbage = new List<byte[]>();
        for (int i = 0; i < count; i++)
        {
            garbage.Add(new byte[512]);
            Moved.Items.Add(new Entry(-i, new byte[64]));
        }

        garbage.Clear();
        Moved.Holder = new Entry(0, new byte[64]);
    }

    /// <summary>The address of Moved.Holder: its reference read as a number.</summary>
    public static nint HolderAddress() => Unsafe.As<Entry?, nint>(ref Moved.Holder);

    // GC handles: a strong one and a pinned one.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static (GCHandle Strong, GCHandle Pinned) Handles(int payload) =>
        (GCHandle.Alloc(new HandleHeld(new byte[payload])), GCHandle.Alloc(new byte[payload], GCHandleType.Pinned));
}
