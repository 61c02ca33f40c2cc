using System.Globalization;
using MemLens.Events;
using MemLens.Formatting;
using MemLens.Storage;
using Microsoft.Data.Sqlite;

namespace MemLens.Recording;

/// <summary>
/// Records a <see cref="MetricStore"/> to a SQLite file as it fills: every value, event and fact, flushed in one
/// transaction every <see cref="RecorderOptions.FlushInterval"/> by a background thread, the file kept within
/// <see cref="RecorderOptions.MaxBytes"/> by downsampling its oldest data. See docs/recording.md.
/// </summary>
/// <remarks>
/// After <see cref="Start"/> returns, the recorder never throws into the host: a failed flush (file deleted, I/O
/// error) is reported in <see cref="LastError"/> and tried again with a growing delay; after
/// <see cref="MaxConsecutiveFailures"/> failures in a row recording stops for good and <see cref="Failed"/> is raised
/// once. A full file system is different: it is said once (<see cref="State"/> <see cref="RecorderState.DiskFull"/>,
/// a <see cref="DiskFullEventType"/> event in the store, one <see cref="Notice"/>), the store keeps the newest data in
/// memory within its own bound, and the recorder tries again every few seconds for as long as it takes, then writes
/// what the store kept and says so once (<see cref="ResumedEventType"/>). A process killed with SIGKILL leaves a file
/// that opens, with everything up to the last flush.
/// </remarks>
public sealed class Recorder : IDisposable
{
    /// <summary>Failed flushes in a row after which recording stops.</summary>
    public const int MaxConsecutiveFailures = 10;

    /// <summary>Most distinct fact keys a recording keeps; <see cref="SetFact"/> ignores new keys past it.</summary>
    public const int MaxFacts = 1000;

    /// <summary>Longest fact key accepted.</summary>
    public const int MaxFactKeyLength = 256;

    /// <summary>Longest delay between two attempts after failures (the delay doubles from the flush interval).</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>Longest delay between two attempts while the disk is full, so that writing resumes soon after space returns.</summary>
    public static readonly TimeSpan MaxDiskFullRetryDelay = TimeSpan.FromSeconds(5);

    private readonly MetricStore _store;
    private readonly RecordingWriter _writer;
    private readonly TimeSpan _interval;
    private readonly object _flushLock = new();
    private readonly object _signal = new();
    private readonly object _factsLock = new();
    private readonly Dictionary<string, string> _pendingFacts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _factKeys; // under _factsLock
    private readonly Thread _thread;
    private int _failures;
    private int _fullAttempts;   // failed attempts since the disk filled up
    private volatile bool _diskFull;
    private long _pausedAtMs;    // under _flushLock: when the disk was found full
    private long _valuesAtPause; // under _flushLock
    private bool _stopping;      // under _signal
    private bool _closed;        // under _flushLock
    private volatile bool _closedFlag;
    private volatile bool _gaveUp;
    private volatile string? _lastError;
    private int _failedRaised;

    // The writer's figures as of the last flush, published so that reading them never waits for a flush under way.
    private long _bytesOnDisk;
    private long _valuesWritten;
    private long _eventsWritten;
    private long _eventsLost;

    private Recorder(MetricStore store, RecordingWriter writer, RecorderOptions options, IEnumerable<string> factKeys)
    {
        _factKeys = new HashSet<string>(factKeys, StringComparer.Ordinal);
        _store = store;
        _writer = writer;
        _interval = options.FlushInterval;
        Options = options;
        _thread = new Thread(Run) { IsBackground = true, Name = "MemLens recorder" };
    }

    /// <summary>
    /// Creates <paramref name="path"/> (refusing to overwrite a file with anything in it), writes
    /// <paramref name="facts"/> (keys in <see cref="RecordingFacts"/>) and starts flushing in the background.
    /// </summary>
    /// <exception cref="RecordingException">The file exists and is not empty, or cannot be created; one line.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its documented range.</exception>
    public static Recorder Start(MetricStore store, string path, IReadOnlyDictionary<string, string> facts, RecorderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(facts.Count, MaxFacts - 10, nameof(facts));
        foreach (var (key, value) in facts)
        {
            CheckFact(key, value);
        }

        options ??= new RecorderOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBytes, RecorderOptions.MinimumMaxBytes, nameof(options));
        if (options.FlushInterval < TimeSpan.FromMilliseconds(10) || options.FlushInterval > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.FlushInterval, "FlushInterval must be between 10 ms and 1 h.");
        }

        string full = System.IO.Path.GetFullPath(path);
        var writer = RecordingWriter.Create(full, facts, options);
        var recorder = new Recorder(store, writer, options, facts.Keys);
        recorder.Publish();
        recorder._thread.Start();
        return recorder;
    }

    /// <summary>The options the recorder was started with.</summary>
    public RecorderOptions Options { get; }

    /// <summary>Full path of the recording.</summary>
    public string Path => _writer.Path;

    /// <summary>Size of the database and its write-ahead log after the last flush.</summary>
    public long BytesOnDisk => Volatile.Read(ref _bytesOnDisk);

    /// <summary>Values written so far (raw samples, and buckets the store had rolled up before they were read).</summary>
    public long ValuesWritten => Volatile.Read(ref _valuesWritten);

    /// <summary>Events written so far.</summary>
    public long EventsWritten => Volatile.Read(ref _eventsWritten);

    /// <summary>Events dropped from the store's ring (<see cref="MetricStoreOptions.MaxEvents"/>) before the recorder read them.</summary>
    public long EventsLost => Volatile.Read(ref _eventsLost);

    /// <summary>
    /// The last flush's error on one line (e.g. <c>database or disk is full</c>), while flushes fail; null once one
    /// succeeds again. After recording stopped for good it stays set to the reason.
    /// </summary>
    public string? LastError => _lastError;

    /// <summary>Event type (a <see cref="MemLens.Events.NoteEvent"/> added to the store) when the file system fills up.</summary>
    public const string DiskFullEventType = "recording.disk_full";

    /// <summary>Event type when the recording caught up after the file system had been full.</summary>
    public const string ResumedEventType = "recording.resumed";

    /// <summary>
    /// Where the recorder stands: recording, waiting for room on a full disk, stopped for good, or closed. Read it with
    /// <see cref="LastError"/> for the reason.
    /// </summary>
    public RecorderState State =>
        _closedFlag ? RecorderState.Closed
        : _gaveUp ? RecorderState.Stopped
        : _diskFull ? RecorderState.DiskFull
        : RecorderState.Recording;

    /// <summary>
    /// Raised once when the disk is found full, and once when the recording caught up after it, with the one line a
    /// person should see (the same text as the event added to the store). On the thread whose flush found it;
    /// exceptions from handlers are swallowed.
    /// </summary>
    public event Action<string>? Notice;

    /// <summary>True once recording stopped for good after <see cref="MaxConsecutiveFailures"/> failed flushes.</summary>
    public bool HasFailed => _gaveUp;

    /// <summary>
    /// Raised once when recording stops for good, with a one-line reason, on the thread whose flush failed the
    /// last time (the recorder's own, unless the host called <see cref="Flush"/>). Exceptions from handlers are
    /// swallowed: they must not end the recording thread or the host.
    /// </summary>
    public event Action<string>? Failed;

    /// <summary>
    /// Records a fact learned later (the runtime version once attached, an exit code); written at the next flush.
    /// Values longer than 64 Ki characters are cut; a new key past <see cref="MaxFacts"/> keys is ignored.
    /// </summary>
    /// <exception cref="ArgumentException">The key is empty or longer than <see cref="MaxFactKeyLength"/>.</exception>
    public void SetFact(string key, string value)
    {
        CheckFact(key, value);
        lock (_factsLock)
        {
            if (_factKeys.Count >= MaxFacts && !_factKeys.Contains(key))
            {
                return;
            }

            _factKeys.Add(key);
            _pendingFacts[key] = value;
        }
    }

    /// <summary>
    /// Writes everything new now, on the calling thread (safe beside the background flush). Never throws: a failure
    /// is reported in <see cref="LastError"/> and counts towards giving up like a background one.
    /// </summary>
    public void Flush()
    {
        string? reason;
        string? notice;
        lock (_flushLock)
        {
            if (_closed || _gaveUp)
            {
                return;
            }

            reason = FlushLocked(out notice);
        }

        RaiseNotice(notice);
        RaiseFailed(reason);
    }

    /// <summary>Last flush, then WAL checkpoint (TRUNCATE) and close. Idempotent; never throws.</summary>
    public void Dispose()
    {
        lock (_signal)
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
            Monitor.PulseAll(_signal);
        }

        if (Thread.CurrentThread != _thread && _thread.IsAlive)
        {
            _thread.Join();
        }

        string? notice = null;
        lock (_flushLock)
        {
            if (!_gaveUp)
            {
                FlushLocked(out notice, countFailure: false);
            }

            try
            {
                _writer.Close(markStopped: !_gaveUp);
                Publish();
            }
            catch (Exception ex)
            {
                _lastError = $"closing {Path}: {SqliteMessages.Of(ex)}";
            }

            if (_diskFull)
            {
                // Still full at the end: say plainly what did not reach the file.
                _lastError = string.Create(CultureInfo.InvariantCulture,
                    $"the disk stayed full: what was recorded since {Timestamps.ToIso8601(_pausedAtMs)} (held in memory) could not be written to {Path}");
            }

            _closed = true;
            _closedFlag = true;
        }

        RaiseNotice(notice);
    }

    private static void CheckFact(string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(key.Length, MaxFactKeyLength, nameof(key));
        ArgumentNullException.ThrowIfNull(value);
    }

    /// <summary>Consecutive failed flushes (tests).</summary>
    internal int ConsecutiveFailures => Volatile.Read(ref _failures);

    /// <summary>The writer, for tests that look at tiers or simulate a full disk.</summary>
    internal RecordingWriter Writer => _writer;

    /// <summary>Publishes the writer's figures; called under <see cref="_flushLock"/> after every flush attempt.</summary>
    private void Publish()
    {
        Volatile.Write(ref _bytesOnDisk, _writer.BytesOnDisk);
        Volatile.Write(ref _valuesWritten, _writer.ValuesWritten);
        Volatile.Write(ref _eventsWritten, _writer.EventsWritten);
        Volatile.Write(ref _eventsLost, _writer.EventsLost);
    }

    private void Run()
    {
        while (true)
        {
            TimeSpan delay = _interval;
            int failures = Volatile.Read(ref _failures);
            int full = Volatile.Read(ref _fullAttempts);
            if (failures > 0)
            {
                double ms = Math.Min(MaxRetryDelay.TotalMilliseconds, _interval.TotalMilliseconds * Math.Pow(2, failures));
                delay = TimeSpan.FromMilliseconds(ms);
            }
            else if (full > 0)
            {
                // A full disk is waited out: tried again every few seconds at most, never given up on.
                double ms = Math.Min(MaxDiskFullRetryDelay.TotalMilliseconds, _interval.TotalMilliseconds * Math.Pow(2, Math.Min(full, 20)));
                delay = TimeSpan.FromMilliseconds(Math.Max(ms, _interval.TotalMilliseconds));
            }

            lock (_signal)
            {
                if (!_stopping)
                {
                    Monitor.Wait(_signal, delay);
                }

                if (_stopping)
                {
                    return;
                }
            }

            Flush();
            if (_gaveUp)
            {
                return;
            }
        }
    }

    /// <summary>
    /// One flush under <see cref="_flushLock"/>; returns the reason when this failure made the recorder give up, and in
    /// <paramref name="notice"/> the line to say when the disk was just found full or the recording just caught up.
    /// </summary>
    private string? FlushLocked(out string? notice, bool countFailure = true)
    {
        notice = null;
        KeyValuePair<string, string>[] facts;
        lock (_factsLock)
        {
            facts = _pendingFacts.Count == 0 ? [] : [.. _pendingFacts];
        }

        try
        {
            try
            {
                _writer.Flush(_store, facts);
            }
            finally
            {
                // A flush that failed after some transactions committed still moved the figures.
                Publish();
            }

            lock (_factsLock)
            {
                foreach (var (key, value) in facts)
                {
                    // A fact set again during the flush stays pending with its newer value.
                    if (_pendingFacts.TryGetValue(key, out string? current) && ReferenceEquals(current, value))
                    {
                        _pendingFacts.Remove(key);
                    }
                }
            }

            Volatile.Write(ref _failures, 0);
            if (_diskFull)
            {
                _diskFull = false;
                Volatile.Write(ref _fullAttempts, 0);
                long held = _writer.ValuesWritten - _valuesAtPause;
                notice = string.Create(CultureInfo.InvariantCulture,
                    $"recording to {Path} resumed: wrote {held:N0} values held in memory while the disk was full ({Durations.Format(TimeSpan.FromMilliseconds(Math.Max(0, Now() - _pausedAtMs)))})");
                _store.AddEvent(new NoteEvent(Now(), ResumedEventType, notice));
            }

            _lastError = _writer.OverBound is { } why ? $"{Path} holds {_writer.BytesOnDisk} bytes, above its bound of {Options.MaxBytes}: {why}" : null;
            return null;
        }
        catch (Exception ex)
        {
            // Anything: the host must never see the recorder's failures (disk full, file deleted, I/O errors).
            string message = $"recording to {Path} failed: {SqliteMessages.Of(ex)}";
            _lastError = message;
            if (IsDiskFull(ex))
            {
                // Not a broken recording: nothing moved (cursors advance only on commit), the store holds the data.
                Interlocked.Increment(ref _fullAttempts);
                if (!_diskFull)
                {
                    _diskFull = true;
                    _pausedAtMs = Now();
                    _valuesAtPause = _writer.ValuesWritten;
                    notice = $"recording to {Path} paused: the disk is full ({SqliteMessages.Of(ex)}); the newest data is kept in memory and written when there is room";
                    _store.AddEvent(new NoteEvent(_pausedAtMs, DiskFullEventType, notice));
                }

                Volatile.Write(ref _failures, 0);
                return null;
            }

            if (!countFailure)
            {
                return null;
            }

            int failures = Interlocked.Increment(ref _failures);
            if (failures < MaxConsecutiveFailures)
            {
                return null;
            }

            _gaveUp = true;
            string reason = $"recording stopped after {failures} failed attempts: {SqliteMessages.Of(ex)} ({Path})";
            _lastError = reason;
            return reason;
        }
    }

    /// <summary>SQLITE_FULL (a full file system, or max_page_count) or ENOSPC from the runtime's own I/O.</summary>
    private static bool IsDiskFull(Exception ex) => ex switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == SqliteMessages.Full,
        IOException io => (io.HResult & 0xFFFF) == Enospc,
        _ => false,
    };

    private const int Enospc = 28;

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private void RaiseNotice(string? notice)
    {
        if (notice is null)
        {
            return;
        }

        try
        {
            Notice?.Invoke(notice);
        }
        catch (Exception)
        {
            // A handler's failure must not end the recording thread or the host.
        }
    }

    private void RaiseFailed(string? reason)
    {
        if (reason is null || Interlocked.Exchange(ref _failedRaised, 1) != 0)
        {
            return;
        }

        try
        {
            Failed?.Invoke(reason);
        }
        catch (Exception)
        {
            // A handler's failure must not end the recording thread or the host.
        }
    }
}
