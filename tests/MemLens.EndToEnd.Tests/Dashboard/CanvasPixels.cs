namespace MemLens.EndToEnd.Tests.Dashboard;

/// <summary>Counting what a chart's canvas has painted, in the page: a chart drawn with data, not only framed.</summary>
internal static class CanvasPixels
{
    /// <summary>
    /// A JavaScript function of a chart id and CSS hex colours (<c>["#2563eb"]</c>): the pixels of that chart's canvases
    /// painted in one of those colours, give or take antialiasing (0 when the chart is hidden). Axes, grid and labels are
    /// drawn in other colours, so only the series' lines and areas count.
    /// </summary>
    public const string InColourScript =
        """
        (id, colours) => {
          const rgbs = colours.map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));
          return [...document.querySelectorAll(`[data-chart-id="${id}"]:not([hidden]) canvas`)].reduce((n, c) => {
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 0; i < d.length; i += 4) {
              if (d[i + 3] > 128 && rgbs.some(([r, g, b]) => Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) < 60)) n++;
            }
            return n;
          }, 0);
        }
        """;
}
