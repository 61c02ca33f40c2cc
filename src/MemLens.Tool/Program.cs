using MemLens.Tool.Cli;

var parse = MemLensCli.Build().Parse(args);
if (parse.Errors.Count > 0)
{
    // One line per problem and exit code 2, instead of the parser's default of 1 plus the full help.
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine($"memlens: {error.Message}");
    }

    Console.Error.WriteLine("Run 'memlens --help' for usage.");
    return ExitCodes.Usage;
}

return await parse.InvokeAsync().ConfigureAwait(false);
