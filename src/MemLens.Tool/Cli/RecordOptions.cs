using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text;
using MemLens.Formatting;

namespace MemLens.Tool.Cli;

/// <summary>Where to record, for the verbs that record by default (watch, run, trace, demo).</summary>
internal sealed record RecordSettings(string Path, long MaxBytes, bool Explicit)
{
    /// <summary>
    /// Why a path given with --record cannot be recorded to, checked before anything starts (a program is not
    /// launched only to find its recording refused); null when it looks fine or the path is the default one.
    /// </summary>
    public string? Problem()
    {
        if (!Explicit)
        {
            return null;
        }

        if (Directory.Exists(Path))
        {
            return $"{Path} is a folder; --record takes a file name, e.g. {System.IO.Path.Combine(Path, "run.db")}.";
        }

        if (File.Exists(Path) && new FileInfo(Path).Length > 0)
        {
            return $"{Path} exists; a recording is never overwritten: choose another --record path.";
        }

        string? folder = System.IO.Path.GetDirectoryName(Path);
        return string.IsNullOrEmpty(folder) || Directory.Exists(folder) ? null : $"cannot record to {Path}: the folder {folder} does not exist.";
    }
}

/// <summary><c>--record PATH</c>, <c>--no-record</c>, <c>--max-size SIZE</c>.</summary>
internal sealed class RecordOptions
{
    /// <summary>The folder recordings go to when no --record path is given, relative to the working directory.</summary>
    public const string DefaultFolder = "memlens-recordings";

    /// <summary>Default bound on a recording's size (file and its write-ahead log).</summary>
    public const long DefaultMaxBytes = 256L << 20;

    /// <summary>Smallest --max-size accepted: room for the schema and a few minutes of data.</summary>
    public const long MinimumMaxBytes = 1L << 20;

    public Option<string?> Record { get; } = new("--record")
    {
        Description = "Record the series, events and process facts to this SQLite file (it must not exist yet). " +
                      $"Default: ./{DefaultFolder}/<program>-<UTC start time>.db. Open it later with 'memlens open', " +
                      "'memlens report', 'memlens doctor' or 'memlens export'.",
        HelpName = "PATH",
    };

    public Option<bool> NoRecord { get; } = new("--no-record") { Description = "Do not record." };

    public Option<long?> MaxSize { get; } = new("--max-size")
    {
        Description = "Bound on the recording's size, e.g. 64MiB, 2GiB. Older data is downsampled (minute, then hour " +
                      "mean/min/max) to stay within it rather than dropped. Default: 256MiB.",
        HelpName = "SIZE",
        CustomParser = ParseSize,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Record);
        command.Options.Add(NoRecord);
        command.Options.Add(MaxSize);
        command.Validators.Add(r =>
        {
            if (r.GetValue(NoRecord) && (r.GetResult(Record) is { Implicit: false } || r.GetResult(MaxSize) is { Implicit: false }))
            {
                r.AddError("--no-record cannot be combined with --record or --max-size.");
            }
        });
    }

    /// <summary>Null with --no-record; otherwise the path (given, or a new one named after <paramref name="program"/>).</summary>
    public RecordSettings? Read(ParseResult parse, string program)
    {
        if (parse.GetValue(NoRecord))
        {
            return null;
        }

        long max = parse.GetValue(MaxSize) ?? DefaultMaxBytes;
        if (parse.GetValue(Record) is { } path)
        {
            return new RecordSettings(System.IO.Path.GetFullPath(path), max, Explicit: true);
        }

        string stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        string name = $"{SafeName(program)}-{stamp}Z.db";
        return new RecordSettings(System.IO.Path.GetFullPath(System.IO.Path.Combine(DefaultFolder, name)), max, Explicit: false);
    }

    /// <summary>A file-name-safe form of a program name: letters, digits, '.', '-' and '_', at most 40 characters.</summary>
    internal static string SafeName(string program)
    {
        var sb = new StringBuilder();
        foreach (char c in System.IO.Path.GetFileName(program.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? ""))
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        }

        string name = sb.ToString().Trim('.', '_');
        return name.Length == 0 ? "process" : name.Length > 40 ? name[..40] : name;
    }

    private static long? ParseSize(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (!ByteSize.TryParse(text, out long bytes))
        {
            result.AddError($"'{text}' is not a size; use e.g. 64MiB, 512M, 2GiB.");
            return null;
        }

        if (bytes < MinimumMaxBytes)
        {
            result.AddError("--max-size must be at least 1MiB.");
            return null;
        }

        return bytes;
    }
}
