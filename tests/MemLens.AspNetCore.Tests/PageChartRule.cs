using System.Diagnostics;
using System.Text.Json;
using MemLens.Tests.Support;

namespace MemLens.AspNetCore.Tests;

/// <summary>
/// The page's own rule for which charts show (web/src/chart-def.ts <c>applies</c> over web/src/data.ts
/// <c>SeriesStore</c>, as web/src/chart.ts uses them), run by node on an <c>api/catalog</c> and an <c>api/series</c>
/// answer: the reference for what the server sends, rather than a C# copy of the rule. The TypeScript is bundled by
/// the esbuild of web/node_modules (which building MemLens.AspNetCore installs).
/// </summary>
internal static class PageChartRule
{
    private static readonly Lazy<string> s_script = new(Bundle);

    /// <summary>Ids of the charts the page shows, in catalog order.</summary>
    public static string[] VisibleCharts(JsonElement catalog, JsonElement series)
    {
        string input = JsonSerializer.Serialize(new { catalog, series });
        string output = Run("node", [s_script.Value], input);
        return JsonSerializer.Deserialize<string[]>(output) ?? throw new InvalidOperationException("node printed null");
    }

    private static string Bundle()
    {
        string web = Path.Combine(RepositoryRoot.Path, "web");
        string esbuild = Path.Combine(web, "node_modules", "esbuild", "bin", "esbuild");
        if (!File.Exists(esbuild))
        {
            throw new InvalidOperationException($"{esbuild} is missing: build src/MemLens.AspNetCore (it runs npm ci in web/) first");
        }

        string dir = Directory.CreateTempSubdirectory("memlens-page-rule-").FullName;
        string entry = Path.Combine(dir, "entry.ts");
        File.WriteAllText(entry, $$"""
            import { readFileSync } from 'node:fs';
            import { applies, heldSeriesIds } from {{JsonSerializer.Serialize(Path.Combine(web, "src", "chart-def"))}};
            import { SeriesStore } from {{JsonSerializer.Serialize(Path.Combine(web, "src", "data"))}};

            const { catalog, series } = JSON.parse(readFileSync(0, 'utf8'));
            const store = new SeriesStore(heldSeriesIds(catalog.charts), catalog.intervalMs > 0 ? catalog.intervalMs : 1000);
            store.load(series);
            // chart.ts: a GC-pauses chart shows with GC events (none here); every other chart by applies().
            const shown = catalog.charts
              .filter((d: any) => d.kind !== 'gc-pauses' && applies(d, (id: string) => store.hasData(id)))
              .map((d: any) => d.id);
            process.stdout.write(JSON.stringify(shown));
            """);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // A temporary folder left behind is no reason to fail the run.
            }
        };
        string script = Path.Combine(dir, "entry.mjs");

        // npm installs esbuild's native binary there; where it could not, the file is node's launcher script instead.
        var head = new byte[2];
        using (var file = File.OpenRead(esbuild))
        {
            file.ReadExactly(head);
        }

        bool launcher = head is [(byte)'#', (byte)'!'];
        Run(launcher ? "node" : esbuild, [.. launcher ? new[] { esbuild } : [], entry, "--bundle", "--platform=node", "--format=esm", "--log-level=warning", "--outfile=" + script], null);
        return script;
    }

    private static string Run(string file, string[] args, string? stdin)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"{file} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(stdin ?? "");
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 60 s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {stderr.Result}");
        }

        return stdout.Result;
    }
}
