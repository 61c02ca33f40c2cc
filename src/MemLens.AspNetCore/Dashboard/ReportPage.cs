using System.Net;
using System.Text;

namespace MemLens.AspNetCore.Dashboard;

/// <summary>
/// Turns the dashboard's own page (index.html, app.css, app.js as embedded) into one self-contained file: the
/// stylesheet and the script inlined, the data in a <c>&lt;script type="application/json" id="memlens-report"&gt;</c>
/// block where the template's <c>report-data</c> comment is (ahead of the preboot script, which then fetches
/// nothing). The script goes at the end of the body, since an inline script cannot be deferred.
/// </summary>
internal static class ReportPage
{
    public const string DataElementId = "memlens-report";

    private const string DataMarker = "<!-- report-data:";
    private const string StylesheetTag = "<link rel=\"stylesheet\" href=\"app.css\">";
    private const string ScriptTag = "<script src=\"app.js\" defer></script>";
    private const string BodyEnd = "</body>";
    private const string TitleTag = "<title>MemLens</title>";

    private static readonly byte[] s_lessThan = "\\u003c"u8.ToArray();

    /// <summary>Writes the page with <paramref name="json"/> (one JSON document, UTF-8) embedded.</summary>
    public static void Write(Stream output, IReadOnlyDictionary<string, DashboardAssets.Asset> files, ReadOnlySpan<byte> json, string title)
    {
        string html = Text(files, "index.html");
        string css = Text(files, "app.css");
        string js = Text(files, "app.js");
        // An inlined file must not end its own element early; the build never produces such text, so this is a
        // check, not an escape (escaping inside arbitrary JavaScript is not possible as plain text).
        if (css.Contains("</style", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException("app.css contains '</style' and cannot be inlined.");
        }

        if (js.Contains("</script", StringComparison.OrdinalIgnoreCase) || js.Contains("<!--", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("app.js contains '</script' or '<!--' and cannot be inlined.");
        }

        int data = IndexOnce(html, DataMarker);
        int dataEnd = html.IndexOf("-->", data, StringComparison.Ordinal) + "-->".Length;
        int style = IndexOnce(html, StylesheetTag);
        int script = IndexOnce(html, ScriptTag);
        int body = IndexOnce(html, BodyEnd);
        if (!(data < style && style < script && script < body))
        {
            throw new InvalidOperationException("The dashboard page's template is not in the order the report expects (data, stylesheet, script, body).");
        }

        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        void Put(string s) => output.Write(utf8.GetBytes(s));

        string head = html[..data];
        int t = head.IndexOf(TitleTag, StringComparison.Ordinal);
        if (t >= 0)
        {
            head = head[..t] + "<title>" + WebUtility.HtmlEncode("MemLens · " + title) + "</title>" + head[(t + TitleTag.Length)..];
        }

        Put(head);
        Put($"<script type=\"application/json\" id=\"{DataElementId}\">");
        WriteForScriptElement(output, json);
        Put("</script>");
        Put(html[dataEnd..style]);
        Put("<style>\n");
        Put(css);
        Put("\n</style>");
        Put(html[(style + StylesheetTag.Length)..script]);
        Put(html[(script + ScriptTag.Length)..body]);
        Put("<script>\n");
        Put(js);
        Put("\n</script>\n");
        Put(html[body..]);
    }

    /// <summary>
    /// Writes JSON into a script element: every <c>&lt;</c> becomes <c>\u003c</c>, so no text in the data
    /// (<c>&lt;/script&gt;</c> in a command line, <c>&lt;!--</c> in a message) can end the element or change how the
    /// HTML parser reads it. Outside strings JSON has no <c>&lt;</c>, and inside one <c>\u003c</c> means the same
    /// character, so the document reads back unchanged.
    /// </summary>
    internal static void WriteForScriptElement(Stream output, ReadOnlySpan<byte> json)
    {
        while (!json.IsEmpty)
        {
            int lt = json.IndexOf((byte)'<');
            if (lt < 0)
            {
                output.Write(json);
                return;
            }

            output.Write(json[..lt]);
            output.Write(s_lessThan);
            json = json[(lt + 1)..];
        }
    }

    private static string Text(IReadOnlyDictionary<string, DashboardAssets.Asset> files, string name) =>
        files.TryGetValue(name, out var asset)
            ? Encoding.UTF8.GetString(asset.Content)
            : throw new InvalidOperationException($"The dashboard's {name} was not embedded in MemLens.AspNetCore (web/ was not built), so no report can be written.");

    private static int IndexOnce(string html, string marker)
    {
        int i = html.IndexOf(marker, StringComparison.Ordinal);
        if (i < 0 || html.IndexOf(marker, i + 1, StringComparison.Ordinal) >= 0)
        {
            throw new InvalidOperationException($"The dashboard page's template must hold '{marker}' exactly once to be turned into a report.");
        }

        return i;
    }
}
