using System.Net;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeysDashboard.Tests.Api;

/// <summary>A bug or a lost client on /api answers like the rest of the API, and only a bug is logged as an error.</summary>
public sealed class UnexpectedFailureTests : IAsyncLifetime
{
    private const string FailHeader = "X-Test-Fail";
    private readonly CapturedLogs logs = new();
    private readonly ApiFactory api;
    private HttpClient client = default!;
    private string target = "";

    public UnexpectedFailureTests() => api = new ApiFactory(testServices: services =>
    {
        services.AddSingleton<ILoggerProvider>(logs);
        services.AddSingleton<TimeProvider>(sp => new FailingClock(sp.GetRequiredService<IHttpContextAccessor>()));
    });

    public async ValueTask InitializeAsync()
    {
        var caller = await api.CreateKeyAsync("Integration");
        target = (await api.CreateKeyAsync("Target")).Key.Id;
        client = api.Client(caller.Secret);
    }

    public ValueTask DisposeAsync() => api.DisposeAsync();

    [Theory]
    [InlineData("GET", "/api/v2/keys/{id}")]
    [InlineData("GET", "/api/v2/me")]
    [InlineData("POST", "/api/v2/keys")]
    [InlineData("PATCH", "/api/v2/keys/{id}")]
    [InlineData("DELETE", "/api/v2/keys/{id}")]
    [InlineData("POST", "/api/v2/keys/{id}/regenerate")]
    [InlineData("POST", "/api/v2/verify")]
    public async Task An_unexpected_exception_answers_a_500_envelope_with_the_request_id_whatever_the_method(string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{id}", target));
        request.Headers.Add(FailHeader, "1");
        if (method is "POST" or "PATCH")
        {
            request.Content = ApiJson.Body("""{"name": "renamed"}""");
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.True("application/json" == response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
        Assert.Equal(["internal_error"], await response.ErrorCodesAsync());
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("FailingClock", text);
        Assert.Contains(logs.AtLeast(LogLevel.Error), l => l.Exception is TestFailure);
    }

    [Theory]
    [InlineData("POST", "/api/v2/keys", true)]
    [InlineData("PATCH", "/api/v2/keys/{id}", true)]
    [InlineData("POST", "/api/v2/verify", true)]
    [InlineData("POST", "/api/v2/keys", false)]
    [InlineData("PATCH", "/api/v2/keys/{id}", false)]
    public async Task A_client_that_hangs_up_in_the_middle_of_its_body_is_not_an_error(string method, string path, bool reset)
    {
        using var aborted = new CancellationTokenSource();
        var context = await api.Server.Server.SendAsync(http =>
        {
            http.Request.Method = method;
            http.Request.Path = path.Replace("{id}", target);
            http.Request.Headers.Authorization = client.DefaultRequestHeaders.Authorization!.ToString();
            http.Request.ContentType = "application/json";
            http.Request.ContentLength = 100;
            http.Request.Body = new HangUpAfter("""{"name": "half""", reset ? aborted : null);
            http.RequestAborted = aborted.Token;
        });

        Assert.Empty(logs.AtLeast(LogLevel.Warning).Where(l => !l.Category.StartsWith("Microsoft.AspNetCore.DataProtection", StringComparison.Ordinal)).Select(l => $"{l.Category} {l.Level}: {l.Message} {l.Exception?.GetType()}"));
        Assert.NotEqual(500, context.Response.StatusCode);
        Assert.Equal("Target", (await api.WithKeysAsync(k => k.FindAsync(target, ApiFactory.Admin)))!.Name);
    }

    private sealed class TestFailure() : Exception("A deliberate failure from the test clock.");

    /// <summary>The system clock, except that it throws for a request carrying the test header: a stand-in for any bug.</summary>
    private sealed class FailingClock(IHttpContextAccessor http) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() =>
            http.HttpContext?.Request.Headers.ContainsKey(FailHeader) == true ? throw new TestFailure() : System.GetUtcNow();
    }

    /// <summary>
    /// What Kestrel's request body does when the client goes away after some bytes: a reset connection aborts the
    /// request and throws an IOException; a closed one ends the content early (BadHttpRequestException).
    /// </summary>
    private sealed class HangUpAfter(string start, CancellationTokenSource? reset) : MemoryStream(System.Text.Encoding.UTF8.GetBytes(start))
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await base.ReadAsync(buffer, cancellationToken);
            if (read > 0)
            {
                return read;
            }
            if (reset is null)
            {
                throw new BadHttpRequestException("Unexpected end of request content.", StatusCodes.Status400BadRequest);
            }
            await reset.CancelAsync();
            throw new IOException("The client reset the request stream.");
        }
    }
}
