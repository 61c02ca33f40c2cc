using MemLens.Exporting;
using Xunit;

namespace MemLens.OpenTelemetry.Tests;

public class OptionsTests
{
    [Fact]
    public void Options_have_the_documented_defaults()
    {
        var o = new OtlpExportOptions();
        Assert.Null(o.Endpoint);
        Assert.Equal(TimeSpan.FromSeconds(10), o.ExportInterval);
        Assert.Empty(o.Headers);
        Assert.Empty(o.ResourceAttributes);
        Assert.Null(o.ServiceName);
        Assert.Equal(TimeSpan.FromSeconds(10), o.Timeout);
    }

    [Fact]
    public void A_missing_endpoint_is_refused_with_an_example()
    {
        var ex = Assert.Throws<ArgumentException>(() => new OtlpExportOptions().Validate());
        Assert.Equal("Endpoint", ex.ParamName);
        Assert.Contains("required", ex.Message, StringComparison.Ordinal);
        Assert.Contains("http://collector:4318", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("grpc://collector:4317", "'grpc:'")]
    [InlineData("ftp://collector/", "'ftp:'")]
    [InlineData("file:///tmp/metrics", "'file:'")]
    public void An_endpoint_that_is_not_http_is_refused_naming_its_scheme(string endpoint, string named)
    {
        var ex = Assert.Throws<ArgumentException>(() => new OtlpExportOptions { Endpoint = new Uri(endpoint) }.Validate());
        Assert.Equal("Endpoint", ex.ParamName);
        Assert.Contains("http:// or https://", ex.Message, StringComparison.Ordinal);
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_relative_endpoint_is_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => new OtlpExportOptions { Endpoint = new Uri("/v1/metrics", UriKind.Relative) }.Validate());
        Assert.Equal("Endpoint", ex.ParamName);
        Assert.Contains("absolute", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(999)]
    [InlineData(0)]
    [InlineData(600_001)]
    public void An_interval_out_of_range_is_refused_with_the_range(int milliseconds)
    {
        var o = new OtlpExportOptions { Endpoint = new Uri("http://collector:4318"), ExportInterval = TimeSpan.FromMilliseconds(milliseconds) };
        var ex = Assert.Throws<ArgumentOutOfRangeException>(o.Validate);
        Assert.Equal("ExportInterval", ex.ParamName);
        Assert.Contains("between 1 second and 10 minutes", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(600_000)]
    public void The_interval_bounds_themselves_are_accepted(int milliseconds) =>
        new OtlpExportOptions { Endpoint = new Uri("http://collector:4318"), ExportInterval = TimeSpan.FromMilliseconds(milliseconds) }.Validate();

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(120_001)]
    public void A_timeout_out_of_range_is_refused(int milliseconds)
    {
        var o = new OtlpExportOptions { Endpoint = new Uri("http://collector:4318"), Timeout = TimeSpan.FromMilliseconds(milliseconds) };
        Assert.Equal("Timeout", Assert.Throws<ArgumentOutOfRangeException>(o.Validate).ParamName);
    }

    [Theory]
    [InlineData("Bad Header", "x")]
    [InlineData("", "x")]
    [InlineData("X-Ok", "two\r\nlines")]
    public void A_header_that_HTTP_cannot_carry_is_refused(string name, string value)
    {
        var o = new OtlpExportOptions { Endpoint = new Uri("http://collector:4318") };
        o.Headers[name] = value;
        Assert.Equal("Headers", Assert.Throws<ArgumentException>(o.Validate).ParamName);
    }

    [Fact]
    public void A_resource_attribute_of_another_type_is_refused_naming_the_key()
    {
        var o = new OtlpExportOptions { Endpoint = new Uri("http://collector:4318") };
        o.ResourceAttributes["deployed.at"] = DateTime.UnixEpoch;
        var ex = Assert.Throws<ArgumentException>(o.Validate);
        Assert.Equal("ResourceAttributes", ex.ParamName);
        Assert.Contains("'deployed.at'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("DateTime", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_blank_service_name_is_refused()
    {
        var o = new OtlpExportOptions { Endpoint = new Uri("http://collector:4318"), ServiceName = " " };
        Assert.Equal("ServiceName", Assert.Throws<ArgumentException>(o.Validate).ParamName);
    }

    [Fact]
    public void Start_validates_the_options()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            MemLensOtlpExporter.Start(Pushes.Store([]), new ExportedProcess(1, "x", "native"), new OtlpExportOptions()));
        Assert.Equal("Endpoint", ex.ParamName);
    }

    [Fact]
    public void Changing_the_options_after_Start_changes_nothing()
    {
        var o = new OtlpExportOptions { Endpoint = new Uri("http://127.0.0.1:9/") };
        using var exporter = MemLensOtlpExporter.Start(Pushes.Store([]), new ExportedProcess(1, "x", "native"), o);
        o.Endpoint = new Uri("http://127.0.0.1:10/");
        Assert.Equal(new Uri("http://127.0.0.1:9/v1/metrics"), exporter.Endpoint);
    }
}
