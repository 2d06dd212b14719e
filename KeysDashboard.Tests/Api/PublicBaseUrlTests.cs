using System.Net;
using System.Text.Json;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace KeysDashboard.Tests.Api;

/// <summary>The Host header is the client's to choose: with PublicBaseUrl set, no link the server hands out uses it.</summary>
public sealed class PublicBaseUrlTests
{
    private const string Configured = "https://keys.example.com";

    [Fact]
    public async Task Links_next_uses_the_configured_public_url_whatever_the_host_header_says()
    {
        await using var api = new ApiFactory(new Dictionary<string, string?> { ["PublicBaseUrl"] = Configured + "/" });
        var admin = await api.CreateKeyAsync("admin");
        await api.CreateKeyAsync("second");
        var client = api.Client(admin.Secret);
        client.BaseAddress = new Uri("http://evil.example/");

        var response = await client.GetAsync("/api/v2/keys?limit=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var next = (await response.ReadAsync()).GetProperty("links").GetProperty("next").GetString();
        Assert.StartsWith(Configured + "/api/v2/keys?limit=1&cursor=", next);
    }

    [Fact]
    public async Task The_api_document_names_only_the_configured_server()
    {
        await using var api = new ApiFactory(new Dictionary<string, string?> { ["PublicBaseUrl"] = Configured });
        var client = api.Client();
        client.BaseAddress = new Uri("http://evil.example/");

        var json = await client.GetStringAsync("/openapi/v1.json");

        Assert.DoesNotContain("evil.example", json);
        using var document = JsonDocument.Parse(json);
        var server = Assert.Single(document.RootElement.GetProperty("servers").EnumerateArray());
        Assert.Equal(Configured, server.GetProperty("url").GetString());
    }

    [Theory]
    [InlineData("keys.example.com")]
    [InlineData("ftp://keys.example.com")]
    [InlineData("/relative")]
    public async Task An_invalid_public_url_stops_the_app_at_start_naming_the_setting(string value)
    {
        await using var app = new AppFactory(new Dictionary<string, string?> { ["PublicBaseUrl"] = value });

        var error = Assert.Throws<OptionsValidationException>(() => app.CreateClient());

        Assert.Contains("PublicBaseUrl", error.Message);
    }
}
