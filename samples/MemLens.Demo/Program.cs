using MemLens.Demo;

// The demo workload that `memlens demo` and the end-to-end tests start as a child process.
// Its command line, stdout lines and exit codes are a contract: see README.md beside this file.
var parsed = DemoOptionsParser.Parse(args);
if (parsed.Help)
{
    Console.Out.Write(DemoOptionsParser.Usage + "\n");
    return 0;
}

if (parsed.Options is not { } options)
{
    await Console.Error.WriteLineAsync($"MemLens.Demo: {parsed.Error} (see --help)").ConfigureAwait(false);
    return 2;
}

return await DemoHost.RunAsync(options).ConfigureAwait(false);
