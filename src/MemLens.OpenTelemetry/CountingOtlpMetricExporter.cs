using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace MemLens.OpenTelemetry;

/// <summary>
/// The SDK's OTLP exporter, with each push's outcome handed to <see cref="MemLensOtlpExporter"/> and nothing thrown.
/// </summary>
/// <remarks>
/// A subclass rather than a wrapper around an <see cref="OtlpMetricExporter"/>: the OTLP exporter takes the resource
/// from its <c>ParentProvider</c>, which the SDK sets only on the exporter a reader is given (its setter is internal),
/// so a wrapped exporter would push an empty resource. The SDK's reader holds one batch at a time and this class keeps
/// none: nothing queues here.
/// </remarks>
internal sealed class CountingOtlpMetricExporter(OtlpExporterOptions options, Action<bool, string?> onOutcome)
    : OtlpMetricExporter(options)
{
    public override ExportResult Export(in Batch<Metric> batch)
    {
        ExportResult result;
        string? reason;
        using (var capture = OtlpFailureReasons.Capture())
        {
            try
            {
                result = base.Export(batch);
            }
#pragma warning disable CA1031 // A push must never throw into the SDK's thread or the host: it failed, and says why.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                capture.Reason = OtlpFailureReasons.OneLine(ex.Message);
                result = ExportResult.Failure;
            }

            reason = capture.Reason;
        }

        onOutcome(result == ExportResult.Success, reason);
        return result;
    }
}
