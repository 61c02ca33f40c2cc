using MemLens.Actions;
using MemLens.AspNetCore.Actions;
using MemLens.Snapshots;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MemLens.AspNetCore.Dashboard;

/// <summary>The routes of the actions on an attached process: induced GC, heap snapshots, their diff.</summary>
internal static partial class DashboardEndpoints
{
    private const int DefaultTop = 100;
    private const int MaxTop = 5000;

    private static void MapTargetActions(RouteGroupBuilder group, Func<HttpContext, Func<MemLensMonitor, Task>, Task> api)
    {
        group.MapPost("/api/actions/gc", ctx => api(ctx, m => CollectAsync(ctx, m))).WithDisplayName("MemLens full GC");
        group.MapPost("/api/actions/snapshot", ctx => api(ctx, m => StartSnapshotAsync(ctx, m))).WithDisplayName("MemLens heap snapshot");
        group.MapGet("/api/snapshots", ctx => api(ctx, m => SnapshotsAsync(ctx, m))).WithDisplayName("MemLens snapshots");
        group.MapGet("/api/snapshots/diff", ctx => api(ctx, m => DiffAsync(ctx, m))).WithDisplayName("MemLens snapshot diff");
        group.MapGet("/api/snapshots/{id}", ctx => api(ctx, m => SnapshotAsync(ctx, m))).WithDisplayName("MemLens snapshot");
        group.MapGet("/api/snapshots/{id}/retention", ctx => api(ctx, m => RetentionAsync(ctx, m))).WithDisplayName("MemLens snapshot retention");
    }

    internal static Task ErrorAsync(HttpContext ctx, int status, string message) =>
        JsonAsync(ctx, ApiJson.Serialize(w => ApiJson.WriteError(w, message)), status);

    private static Task NoTargetActionsAsync(HttpContext ctx, MemLensMonitor monitor) =>
        ErrorAsync(ctx, StatusCodes.Status403Forbidden, monitor.Target.InProcess
            ? "Full GC and heap snapshots act on an attached process; in-process, use the release action."
            : "This dashboard cannot act on the process it watches (no actions were given for it).");

    private static async Task CollectAsync(HttpContext ctx, MemLensMonitor monitor)
    {
        if (monitor.TargetActions is not { } actions)
        {
            await NoTargetActionsAsync(ctx, monitor);
            return;
        }

        InducedGcResult? result;
        try
        {
            result = await actions.TryCollectAsync();
        }
        catch (TargetActionException ex)
        {
            await ErrorAsync(ctx, StatusCodes.Status502BadGateway, ex.Message);
            return;
        }

        if (result is null)
        {
            await ErrorAsync(ctx, StatusCodes.Status409Conflict, "Another action (a GC or a heap snapshot) is running; try again when it ends.");
            return;
        }

        await JsonAsync(ctx, ApiJson.Serialize(result.WriteJson));
    }

    private static async Task StartSnapshotAsync(HttpContext ctx, MemLensMonitor monitor)
    {
        if (monitor.TargetActions is not { } actions)
        {
            await NoTargetActionsAsync(ctx, monitor);
            return;
        }

        if (actions.TryStartSnapshot() is not { } id)
        {
            await ErrorAsync(ctx, StatusCodes.Status409Conflict, "Another action (a GC or a heap snapshot) is running; try again when it ends.");
            return;
        }

        ctx.Response.Headers.Location = "snapshots/" + id;
        await JsonAsync(ctx, ApiJson.Serialize(w =>
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteEndObject();
        }), StatusCodes.Status202Accepted);
    }

    private static Task SnapshotsAsync(HttpContext ctx, MemLensMonitor monitor)
    {
        var actions = monitor.TargetActions;
        return JsonAsync(ctx, ApiJson.Serialize(w => SnapshotJson.WriteListing(w, actions?.Running, actions?.Snapshots ?? [])));
    }

    private static async Task SnapshotAsync(HttpContext ctx, MemLensMonitor monitor)
    {
        string id = ctx.Request.RouteValues["id"] as string ?? "";
        if (!QueryLimits.TryReadCount(ctx, "top", DefaultTop, 1, MaxTop, out int top, out string error))
        {
            await BadRequest(ctx, error);
            return;
        }

        if (monitor.TargetActions?.Find(id) is not { } entry)
        {
            await ErrorAsync(ctx, StatusCodes.Status404NotFound, $"No snapshot '{id}' (it may have been dropped: the dashboard keeps the last {monitor.Options.MaxSnapshots}).");
            return;
        }

        await JsonAsync(ctx, ApiJson.Serialize(w => SnapshotJson.WriteSnapshot(w, entry, top)));
    }

    private static async Task RetentionAsync(HttpContext ctx, MemLensMonitor monitor)
    {
        string id = ctx.Request.RouteValues["id"] as string ?? "";
        if (!QueryLimits.TryReadCount(ctx, "max", RetentionJson.DefaultNodes, 1, RetentionJson.MaxNodes, out int max, out string error))
        {
            await BadRequest(ctx, error);
            return;
        }

        if (monitor.TargetActions?.Find(id) is not { } entry)
        {
            await ErrorAsync(ctx, StatusCodes.Status404NotFound, $"No snapshot '{id}' (it may have been dropped: the dashboard keeps the last {monitor.Options.MaxSnapshots}).");
            return;
        }

        await JsonAsync(ctx, ApiJson.Serialize(w => RetentionJson.WriteRetention(w, entry, max)));
    }

    private static async Task DiffAsync(HttpContext ctx, MemLensMonitor monitor)
    {
        string a = ctx.Request.Query["a"].ToString();
        string b = ctx.Request.Query["b"].ToString();
        if (a.Length == 0 || b.Length == 0)
        {
            await BadRequest(ctx, "'a' and 'b' must name two snapshots (ids from api/snapshots).");
            return;
        }

        if (!QueryLimits.TryReadCount(ctx, "top", DefaultTop, 1, MaxTop, out int top, out string error))
        {
            await BadRequest(ctx, error);
            return;
        }

        string sort = ctx.Request.Query["sort"].ToString();
        if (sort.Length == 0)
        {
            sort = "bytes";
        }
        else if (sort is not ("bytes" or "retained"))
        {
            await BadRequest(ctx, "'sort' must be 'bytes' (bytes added) or 'retained' (retained bytes added).");
            return;
        }

        var actions = monitor.TargetActions;
        var entries = new List<SnapshotEntry>(2);
        foreach (string id in new[] { a, b })
        {
            if (actions?.Find(id) is not { } entry)
            {
                await ErrorAsync(ctx, StatusCodes.Status404NotFound, $"No snapshot '{id}' (it may have been dropped: the dashboard keeps the last {monitor.Options.MaxSnapshots}).");
                return;
            }

            if (entry.Snapshot is null)
            {
                await BadRequest(ctx, $"Snapshot '{id}' failed ({entry.Error}); it cannot be compared.");
                return;
            }

            entries.Add(entry);
        }

        var (before, after) = (entries[0], entries[1]);
        var diff = SnapshotDiff.Compute(before.Snapshot!, after.Snapshot!, byRetained: sort == "retained");
        await JsonAsync(ctx, ApiJson.Serialize(w => SnapshotJson.WriteDiff(w, before, after, diff, top, sort)));
    }
}
