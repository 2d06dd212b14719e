using System.Net;
using KeysDashboard.Idempotency;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeysDashboard.Tests.Hosting;

/// <summary>A unique index settling a race is expected and handled; it must not fill the log with errors.</summary>
public sealed class ExpectedRaceLoggingTests
{
    private readonly CapturedLogs logs = new();

    [Fact]
    public async Task A_unique_index_clash_that_the_caller_handles_logs_no_error()
    {
        await using var api = new ApiFactory(testServices: services => services.AddSingleton<ILoggerProvider>(logs));
        await using var scope = api.Services.CreateAsyncScope();
        var factory = scope.ServiceProvider.GetRequiredService<IDbContextFactory<KeysDashboard.Data.ApplicationDbContext>>();
        var now = DateTime.UtcNow;
        IdempotencyRecord Claim() => new() { CallerKeyId = "caller", Key = "retry-1", RequestHash = "h", Response = "{}", CreatedAt = now, ExpiresAt = now.AddHours(1) };

        await using (var first = await factory.CreateDbContextAsync(TestContext.Current.CancellationToken))
        {
            first.IdempotencyRecords.Add(Claim());
            await first.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
        await using var second = await factory.CreateDbContextAsync(TestContext.Current.CancellationToken);
        second.IdempotencyRecords.Add(Claim());
        await Assert.ThrowsAsync<DbUpdateException>(() => second.SaveChangesAsync(TestContext.Current.CancellationToken));

        Assert.Empty(Errors());
    }

    [Fact]
    public async Task Retrying_a_create_with_the_same_Idempotency_Key_logs_no_error()
    {
        await using var api = new ApiFactory(testServices: services => services.AddSingleton<ILoggerProvider>(logs));
        var caller = await api.CreateKeyAsync("Caller");
        using var client = api.Client(caller.Secret);

        for (var i = 0; i < 3; i++)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v2/keys") { Content = ApiJson.Body("""{"name": "Deploys"}""") };
            request.Headers.Add("Idempotency-Key", "create-1");
            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        Assert.Empty(Errors());
    }

    private IEnumerable<string> Errors() =>
        logs.AtLeast(LogLevel.Error).Select(l => $"{l.Category} {l.EventId}: {l.Message}");
}
