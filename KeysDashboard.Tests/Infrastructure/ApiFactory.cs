using KeysDashboard.Access;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using KeysDashboard.Keys;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.Infrastructure;

/// <summary>
/// The app for API tests. TestServer has no network peer, so a startup filter (ahead of the app's own pipeline,
/// forwarded headers included) sets the connection's address from the test-only X-Test-Peer header, default
/// 127.0.0.1: the address Kestrel would have reported for that client. <paramref name="testServices"/> can add
/// test-only services, a database interceptor say.
/// </summary>
internal sealed class ApiFactory(IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? testServices = null)
    : IAsyncDisposable
{
    public const string PeerHeader = "X-Test-Peer";
    public static readonly Actor Admin = Actor.Person("user-1", "owner@example.com", AccessTable.AdminRole, "127.0.0.1");

    public AppFactory App { get; } = new(settings);

    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>? configured;

    public Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> Server => configured ??= App.WithWebHostBuilder(builder =>
        builder.ConfigureTestServices(services =>
        {
            services.AddTransient<IStartupFilter, PeerAddressFromHeader>();
            testServices?.Invoke(services);
        }));

    public IServiceProvider Services => Server.Services;

    /// <summary>An HTTP client that sends <paramref name="secret"/> as a Bearer token (or X-API-Key).</summary>
    public HttpClient Client(string? secret = null, string peer = "127.0.0.1", bool asApiKeyHeader = false)
    {
        var client = Server.CreateClient(new() { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Add(PeerHeader, peer);
        if (secret is not null)
        {
            if (asApiKeyHeader)
            {
                client.DefaultRequestHeaders.Add("X-API-Key", secret);
            }
            else
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
            }
        }
        return client;
    }

    /// <summary>Creates a key through the service, as the dashboard would.</summary>
    public async Task<IssuedKey> CreateKeyAsync(string name = "Test key", bool readOnly = false, string[]? ips = null, DateTime? expires = null)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<KeyService>()
            .CreateAsync(new KeyDraft(name, readOnly, ips ?? [], expires), Admin);
    }

    public async Task<T> WithKeysAsync<T>(Func<KeyService, Task<T>> use)
    {
        await using var scope = Services.CreateAsyncScope();
        return await use(scope.ServiceProvider.GetRequiredService<KeyService>());
    }

    public async Task<T> WithDbAsync<T>(Func<Data.ApplicationDbContext, Task<T>> use)
    {
        await using var scope = Services.CreateAsyncScope();
        return await use(scope.ServiceProvider.GetRequiredService<Data.ApplicationDbContext>());
    }

    public async ValueTask DisposeAsync()
    {
        if (configured is not null)
        {
            await configured.DisposeAsync();
        }
        await App.DisposeAsync();
    }

    private sealed class PeerAddressFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                var peer = context.Request.Headers[PeerHeader].ToString();
                context.Connection.RemoteIpAddress = IPAddress.Parse(peer.Length > 0 ? peer : "127.0.0.1");
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}

internal static class ApiJson
{
    public static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    public static StringContent Body(object value) => Body(JsonSerializer.Serialize(value));

    public static async Task<JsonElement> ReadAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new Xunit.Sdk.XunitException($"Expected JSON, got {(int)response.StatusCode}: {text}");
        }
    }

    /// <summary>The error codes of an error envelope, after checking its shape.</summary>
    public static async Task<string[]> ErrorCodesAsync(this HttpResponseMessage response)
    {
        var json = await response.ReadAsync();
        Assert.False(json.GetProperty("success").GetBoolean());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("result").ValueKind);
        Assert.False(string.IsNullOrEmpty(json.GetProperty("request_id").GetString()));
        Assert.Equal(json.GetProperty("request_id").GetString(), response.Headers.GetValues("X-Request-Id").Single());
        return [.. json.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("code").GetString()!)];
    }

    /// <summary>The fields named by an error envelope's errors.</summary>
    public static async Task<string[]> ErrorFieldsAsync(this HttpResponseMessage response) =>
        [.. (await response.ReadAsync()).GetProperty("errors").EnumerateArray()
            .Select(e => e.TryGetProperty("field", out var f) ? f.GetString()! : "")];

    public static async Task<JsonElement> ResultAsync(this HttpResponseMessage response)
    {
        var json = await response.ReadAsync();
        Assert.True(json.GetProperty("success").GetBoolean(), json.ToString());
        Assert.Empty(json.GetProperty("errors").EnumerateArray());
        return json.GetProperty("result");
    }

    public static Task<HttpResponseMessage> PatchJsonAsync(this HttpClient client, string url, object body) =>
        client.PatchAsync(url, Body(body));
}
