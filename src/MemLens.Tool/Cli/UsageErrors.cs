using System.CommandLine;
using System.CommandLine.Parsing;

namespace MemLens.Tool.Cli;

/// <summary>
/// Argument mistakes on every verb end as one line and exit code 2. Two things in System.CommandLine stood in the
/// way: a validator runs before the values it reads are converted, so its <c>GetValue</c> on a value that does not
/// convert (<c>watch abc</c>, <c>ps --top abc</c>) threw out of <c>Parse</c> as an unhandled exception; and an
/// unknown option in the place of a positional argument (<c>trace --bogus</c>) was taken as a file or a program name.
/// </summary>
internal static class UsageErrors
{
    /// <summary>
    /// Wraps every validator of <paramref name="root"/> and of every command, option and argument under it, so that a
    /// validator reading a value that does not convert stops quietly: the conversion has already recorded its own
    /// parse error (the one the user sees), so nothing is lost. Called once on the built tree, so a verb added later
    /// is covered without doing anything.
    /// </summary>
    public static void GuardValidators(Command root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var commands = new Stack<Command>([root]);
        while (commands.TryPop(out var command))
        {
            Guard(command.Validators);
            foreach (var option in command.Options)
            {
                Guard(option.Validators);
            }

            foreach (var argument in command.Arguments)
            {
                Guard(argument.Validators);
            }

            foreach (var sub in command.Subcommands)
            {
                commands.Push(sub);
            }
        }
    }

    /// <summary>
    /// The problems of <paramref name="parse"/> as the user reads them: the parser's errors, then a positional
    /// argument that looks like an option (<c>-p</c>, <c>--bogus</c>) before any <c>--</c>. Empty when all is well.
    /// </summary>
    public static IReadOnlyList<string> Of(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);

        // The first value of each positional argument: where an unknown option lands (watch --bogus, trace -p 1).
        // Later values of a multi-value argument (run's program arguments) are the program's own.
        var firsts = parse.CommandResult.Children.OfType<ArgumentResult>().Where(a => a.Tokens.Count > 0).Select(a => a.Tokens[0]).ToList();
        var unknown = new List<string>();
        foreach (var token in parse.Tokens)
        {
            if (token.Type == TokenType.DoubleDash)
            {
                break;
            }

            if (firsts.Any(f => ReferenceEquals(f, token)) && LooksLikeOption(token.Value))
            {
                unknown.Add(token.Value);
            }
        }

        // The parser's own complaint about such a token ("Cannot parse argument '--bogus' … Int32") says less than "unknown option".
        return
        [
            .. unknown.Select(u => $"Unknown option '{u}' (a value that starts with '-' goes after --)."),
            .. parse.Errors.Select(e => e.Message).Where(m => !unknown.Any(u => m.Contains($"'{u}'", StringComparison.Ordinal))),
        ];
    }

    /// <summary>The one line printed for <paramref name="problems"/> of the verb <paramref name="parse"/> ran.</summary>
    public static string Line(ParseResult parse, IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(problems);
        var verb = parse.CommandResult.Command;
        string help = verb is RootCommand ? "memlens --help" : $"memlens {verb.Name} --help";
        string text = string.Join(" ", problems.Select(Readable));
        return $"memlens: {text} See '{help}'.";
    }

    // One sentence on one line: the parser's lists come with tabs and new lines, and its type names are .NET's.
    private static string Readable(string problem)
    {
        string text = string.Join(' ', problem.Split((char[])[' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
        foreach (var (type, words) in s_typeNames)
        {
            text = text.Replace($"as expected type '{type}'", words, StringComparison.Ordinal);
        }

        return text.EndsWith('.') || text.EndsWith(')') ? text : text + ".";
    }

    private static readonly (string Type, string Words)[] s_typeNames =
    [
        ("System.Int32", "as a whole number"),
        ("System.Nullable`1[System.Int32]", "as a whole number"),
        ("System.Int64", "as a whole number"),
        ("System.Nullable`1[System.Int64]", "as a whole number"),
    ];

    private static bool LooksLikeOption(string value) =>
        value.Length > 1 && value[0] == '-' && !double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);

    private static void Guard<T>(List<Action<T>> validators) where T : SymbolResult
    {
        for (int i = 0; i < validators.Count; i++)
        {
            var validator = validators[i];
            validators[i] = result =>
            {
                try
                {
                    validator(result);
                }
                catch (InvalidOperationException) when (HasErrors(result))
                {
                    // GetValue on a value that did not convert: its conversion error is recorded and will be shown.
                }
            };
        }
    }

    // True when any result of the parse holds an error (the one the failed conversion recorded).
    private static bool HasErrors(SymbolResult result)
    {
        var root = result;
        while (root.Parent is { } parent)
        {
            root = parent;
        }

        var pending = new Stack<SymbolResult>([root]);
        while (pending.TryPop(out var next))
        {
            if (next.Errors.Any())
            {
                return true;
            }

            // An option's conversion errors are recorded on the option's own result, so commands are all to descend.
            if (next is CommandResult command)
            {
                foreach (var child in command.Children)
                {
                    pending.Push(child);
                }
            }
        }

        return false;
    }
}
