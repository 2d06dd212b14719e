using System.Net;
using System.Text;
using System.Text.Json;
using KeysDashboard.Audit;
using KeysDashboard.Data;
using KeysDashboard.Keys;
using KeysDashboard.Tests.Infrastructure;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.Api;

/// <summary>
/// Idempotency-Key on POST /keys and POST /keys/{id}/regenerate: a client that lost a response can retry and get
/// the same key (and secret) back instead of a second key or a second rotation.
/// </summary>
public sealed class IdempotencyTests
{
    private const string CreateBody = """{"type":"api","name":"Deploys","permissions":["fetch"],"ips":["10.0.0.0/8"]}""";

    [Fact]
    public async Task A_retried_create_returns_the_first_key_and_secret_again_and_creates_nothing_more()
    {
        await using var api = new ApiFactory();
        var caller = await api.CreateKeyAsync("Caller");
        using var client = api.Client(caller.Secret);

        using var first = await PostAsync(client, "/api/v2/keys", "create-1", CreateBody);
        using var retry = await PostAsync(client, "/api/v2/keys", "create-1", CreateBody);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(["true"], retry.Headers.GetValues("Idempotent-Replayed"));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, retry.Headers.Location);

        var created = await first.ResultAsync();
        var id = created.GetProperty("id").GetString()!;
        var secret = created.GetProperty("value").GetString()!;
        Assert.Equal([caller.Key.Id, id], await KeyIdsAsync(api));
        Assert.Equal(1, await api.WithDbAsync(db => db.AuditEntries.CountAsync(e => e.Action == AuditActions.KeyCreated && e.KeyId == id)));

        // The replayed secret is the key's real secret (from an address its allowlist admits), not a dead copy.
        using var asCreated = api.Client(secret, peer: "10.1.2.3");
        using var me = await asCreated.GetAsync("/api/v2/me");
        Assert.Equal(id, (await me.ResultAsync()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_retry_with_the_same_fields_in_another_order_and_layout_is_the_same_request()
    {
        await using var api = new ApiFactory();
        var caller = await api.CreateKeyAsync("Caller");
        using var client = api.Client(caller.Secret);

        using var first = await PostAsync(client, "/api/v2/keys", "reordered", CreateBody);
        using var retry = await PostAsync(client, "/api/v2/keys", "reordered", """
            {
              "ips": [ "10.0.0.0/8" ],
              "permissions": [ "fetch" ],
              "name": "Deploys",
              "type": "api"
            }
            """);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(["true"], retry.Headers.GetValues("Idempotent-Replayed"));
        Assert.Equal((await first.ResultAsync()).GetProperty("id").GetString(), (await retry.ResultAsync()).GetProperty("id").GetString());
        Assert.Equal(2, (await KeyIdsAsync(api)).Count);
    }

    [Fact]
    public async Task The_same_Idempotency_Key_with_a_different_body_is_refused_with_422_and_creates_nothing()
    {
        await using var api = new ApiFactory();
        var caller = await api.CreateKeyAsync("Caller");
        using var client = api.Client(caller.Secret);

        using var first = await PostAsync(client, "/api/v2/keys", "create-1", CreateBody);
        using var other = await PostAsync(client, "/api/v2/keys", "create-1", """{"name":"Something else"}""");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal((HttpStatusCode)422, other.StatusCode);
        Assert.Equal(["idempotency_key_reused"], await other.ErrorCodesAsync());
        Assert.Equal(["Idempotency-Key"], await other.ErrorFieldsAsync());
        Assert.Equal(2, (await KeyIdsAsync(api)).Count);

        // The refusal did not spoil the first request's record: its retry still gets the first key.
        using var retry = await PostAsync(client, "/api/v2/keys", "create-1", CreateBody);
        Assert.Equal(["true"], retry.Headers.GetValues("Idempotent-Replayed"));
        Assert.Equal((await first.ResultAsync()).GetProperty("id").GetString(), (await retry.ResultAsync()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task Idempotency_Keys_belong_to_the_calling_key_so_two_callers_cannot_collide()
    {
        await using var api = new ApiFactory();
        var alice = await api.CreateKeyAsync("Alice");
        var bob = await api.CreateKeyAsync("Bob");
        using var asAlice = api.Client(alice.Secret);
        using var asBob = api.Client(bob.Secret);

        using var fromAlice = await PostAsync(asAlice, "/api/v2/keys", "shared-key", CreateBody);
        using var fromBob = await PostAsync(asBob, "/api/v2/keys", "shared-key", CreateBody);

        Assert.Equal(HttpStatusCode.Created, fromAlice.StatusCode);
        Assert.Equal(HttpStatusCode.Created, fromBob.StatusCode);
        Assert.False(fromBob.Headers.Contains("Idempotent-Replayed"));
        var aliceKey = await fromAlice.ResultAsync();
        var bobKey = await fromBob.ResultAsync();
        Assert.NotEqual(aliceKey.GetProperty("id").GetString(), bobKey.GetProperty("id").GetString());
        Assert.NotEqual(aliceKey.GetProperty("value").GetString(), bobKey.GetProperty("value").GetString());
        Assert.Equal(4, (await KeyIdsAsync(api)).Count);

        // Each caller's retry gets its own first response, never the other's key and secret.
        using var bobRetry = await PostAsync(asBob, "/api/v2/keys", "shared-key", CreateBody);
        Assert.Equal(["true"], bobRetry.Headers.GetValues("Idempotent-Replayed"));
        Assert.Equal(bobKey.GetProperty("value").GetString(), (await bobRetry.ResultAsync()).GetProperty("value").GetString());
    }

    [Fact]
    public async Task Identical_requests_sent_at_once_create_exactly_one_key()
    {
        await using var api = new ApiFactory();
        var caller = await api.CreateKeyAsync("Caller");
        using var client = api.Client(caller.Secret);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => PostAsync(client, "/api/v2/keys", "burst", CreateBody)));

        try
        {
            Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
            var created = responses.Where(r => r.StatusCode == HttpStatusCode.Created).ToList();
            Assert.NotEmpty(created);
            Assert.Single(created, r => !r.Headers.Contains("Idempotent-Replayed"));
            var ids = new HashSet<string>();
            foreach (var response in created)
            {
                ids.Add((await response.ResultAsync()).GetProperty("id").GetString()!);
            }
            foreach (var response in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
            {
                Assert.Equal(["request_in_progress"], await response.ErrorCodesAsync());
            }
            var keys = await KeyIdsAsync(api);
            Assert.Equal(2, keys.Count);
            Assert.Equal([keys[1]], ids);
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_retry_while_the_first_request_is_still_running_gets_409_and_then_the_first_result()
    {
        var gate = new KeyWriteGate();
        await using var api = new ApiFactory(testServices: services =>
            services.ConfigureDbContext<ApplicationDbContext>(o => o.AddInterceptors(gate), ServiceLifetime.Singleton));
        var caller = await api.CreateKeyAsync("Caller");
        using var client = api.Client(caller.Secret);
        var cancel = TestContext.Current.CancellationToken;

        gate.Close();
        var first = PostAsync(client, "/api/v2/keys", "slow", CreateBody);
        await gate.Reached.WaitAsync(cancel);
        // The first request has claimed the Idempotency-Key and is now held just before it saves the key.
        var retries = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => PostAsync(client, "/api/v2/keys", "slow", CreateBody)));
        gate.Open();
        using var original = await first.WaitAsync(cancel);
        using var later = await PostAsync(client, "/api/v2/keys", "slow", CreateBody);

        foreach (var retry in retries)
        {
            Assert.Equal(HttpStatusCode.Conflict, retry.StatusCode);
            Assert.Equal(["request_in_progress"], await retry.ErrorCodesAsync());
            Assert.Equal(["Idempotency-Key"], await retry.ErrorFieldsAsync());
            retry.Dispose();
        }
        Assert.Equal(HttpStatusCode.Created, original.StatusCode);
        Assert.Equal(HttpStatusCode.Created, later.StatusCode);
        Assert.Equal(["true"], later.Headers.GetValues("Idempotent-Replayed"));
        Assert.Equal(await original.Content.ReadAsStringAsync(), await later.Content.ReadAsStringAsync());
        Assert.Equal(2, (await KeyIdsAsync(api)).Count);
    }

    [Fact]
    public async Task A_retried_regenerate_rotates_the_secret_once_and_returns_the_same_new_secret()
    {
        await using var api = new ApiFactory();
        var caller = await api.CreateKeyAsync("Caller");
        var target = await api.CreateKeyAsync("Rotated");
        using var client = api.Client(caller.Secret);
        var url = $"/api/v2/keys/{target.Key.Id}/regenerate";

        using var first = await PostAsync(client, url, "rotate-1", """{"grace_period_seconds":0}""");
        using var retry = await PostAsync(client, url, "rotate-1", """{"grace_period_seconds":0}""");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(["true"], retry.Headers.GetValues("Idempotent-Replayed"));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());

        var newSecret = (await first.ResultAsync()).GetProperty("value").GetString()!;
        Assert.NotEqual(target.Secret, newSecret);
        // A second rotation would have replaced newSecret: it must still be the key's secret.
        using var withNew = api.Client(newSecret);
        using var me = await withNew.GetAsync("/api/v2/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(target.Key.Id, (await me.ResultAsync()).GetProperty("id").GetString());
        using var withOld = api.Client(target.Secret);
        using var old = await withOld.GetAsync("/api/v2/me");
        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        Assert.Equal(1, await api.WithDbAsync(db =>
            db.AuditEntries.CountAsync(e => e.Action == AuditActions.KeyRegenerated && e.KeyId == target.Key.Id)));
    }

    [Fact]
    public async Task A_refused_create_is_not_remembered_so_the_corrected_request_succeeds_under_the_same_key()
    {
        await using var api = new ApiFactory();
        var caller = await api.CreateKeyAsync("Caller");
        using var client = api.Client(caller.Secret);

        using var refused = await PostAsync(client, "/api/v2/keys", "fix-me", """{"name":""}""");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(["name"], await refused.ErrorFieldsAsync());
        Assert.Equal(0, await api.WithDbAsync(db => db.IdempotencyRecords.CountAsync()));

        // The corrected body is a different request, but nothing was remembered for the refused one.
        using var corrected = await PostAsync(client, "/api/v2/keys", "fix-me", """{"name":"Fixed"}""");
        Assert.Equal(HttpStatusCode.Created, corrected.StatusCode);
        Assert.False(corrected.Headers.Contains("Idempotent-Replayed"));
        var id = (await corrected.ResultAsync()).GetProperty("id").GetString()!;
        Assert.Equal([caller.Key.Id, id], await KeyIdsAsync(api));

        // From now on the Idempotency-Key stands for the successful request.
        using var retry = await PostAsync(client, "/api/v2/keys", "fix-me", """{"name":"Fixed"}""");
        Assert.Equal(["true"], retry.Headers.GetValues("Idempotent-Replayed"));
    }

    [Fact]
    public async Task A_regenerate_that_finds_no_key_is_not_remembered()
    {
        await using var api = new ApiFactory();
        var caller = await api.CreateKeyAsync("Caller");
        using var client = api.Client(caller.Secret);
        var url = $"/api/v2/keys/{ApiKey.NewId()}/regenerate";

        // This 404 comes from inside the idempotent block, after the Idempotency-Key was claimed.
        using var missing = await PostAsync(client, url, "typo", "{}");
        using var again = await PostAsync(client, url, "typo", "{}");

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(["not_found"], await missing.ErrorCodesAsync());
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.False(again.Headers.Contains("Idempotent-Replayed"));
        // A fresh answer, not a replay of the first one's body.
        var firstRequestId = (await missing.ReadAsync()).GetProperty("request_id").GetString();
        Assert.NotEqual(firstRequestId, (await again.ReadAsync()).GetProperty("request_id").GetString());
        Assert.Equal(0, await api.WithDbAsync(db => db.IdempotencyRecords.CountAsync()));

        using var reused = await PostAsync(client, "/api/v2/keys", "typo", CreateBody);
        Assert.Equal(HttpStatusCode.Created, reused.StatusCode);
    }

    [Fact]
    public async Task An_Idempotency_Key_longer_than_255_characters_is_refused_and_nothing_is_created()
    {
        await using var api = new ApiFactory();
        var caller = await api.CreateKeyAsync("Caller");
        using var client = api.Client(caller.Secret);

        using var tooLong = await PostAsync(client, "/api/v2/keys", new string('k', 256), CreateBody);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal(["invalid_idempotency_key"], await tooLong.ErrorCodesAsync());
        Assert.Equal(["Idempotency-Key"], await tooLong.ErrorFieldsAsync());
        Assert.Equal([caller.Key.Id], await KeyIdsAsync(api));

        using var longest = await PostAsync(client, "/api/v2/keys", new string('k', 255), CreateBody);
        Assert.Equal(HttpStatusCode.Created, longest.StatusCode);
    }

    [Fact]
    public async Task The_data_directory_never_holds_a_remembered_secret_and_after_a_restart_the_replay_says_it_is_unavailable()
    {
        await using var api = new ApiFactory();
        var caller = await api.CreateKeyAsync("Caller");
        using var client = api.Client(caller.Secret);

        using var created = await PostAsync(client, "/api/v2/keys", "stored", CreateBody);
        var result = await created.ResultAsync();
        var id = result.GetProperty("id").GetString()!;
        var secret = result.GetProperty("value").GetString()!;
        var etag = created.Headers.ETag;
        var target = await api.CreateKeyAsync("Rotated");
        using var rotated = await PostAsync(client, $"/api/v2/keys/{target.Key.Id}/regenerate", "rotated", "{}");
        var rotatedSecret = (await rotated.ResultAsync()).GetProperty("value").GetString()!;

        var record = await api.WithDbAsync(db => db.IdempotencyRecords.AsNoTracking().SingleAsync(r => r.Key == "stored"));
        Assert.Equal((caller.Key.Id, "stored"), (record.CallerKeyId, record.Key));
        Assert.Contains(id, record.Response);

        // Everything a copy of the data directory holds: the database, its WAL, the Data Protection key ring.
        foreach (var leaked in new[] { secret, rotatedSecret })
        {
            var forms = new[] { leaked, leaked[3..^6], Convert.ToBase64String(Encoding.UTF8.GetBytes(leaked)), Convert.ToBase64String(Encoding.UTF8.GetBytes(leaked[3..^6])) };
            foreach (var file in Directory.GetFiles(api.App.DataDirectory, "*", SearchOption.AllDirectories))
            {
                var bytes = await ReadSharedAsync(file);
                foreach (var form in forms)
                {
                    Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(form)) < 0, $"{Path.GetFileName(file)} holds a secret ({form.Length} characters)");
                }
            }
        }

        // The same data directory, another process: the secret is gone, and the replay says so.
        await using var restarted = new ApiFactory(new Dictionary<string, string?> { ["Storage:DataDirectory"] = api.App.DataDirectory });
        using var afterRestart = restarted.Client(caller.Secret);
        using var replay = await PostAsync(afterRestart, "/api/v2/keys", "stored", CreateBody);

        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal(["true"], replay.Headers.GetValues("Idempotent-Replayed"));
        Assert.Equal(["true"], replay.Headers.GetValues("Idempotent-Secret-Unavailable"));
        Assert.Equal(etag, replay.Headers.ETag);
        var replayed = await replay.ResultAsync();
        Assert.Equal(id, replayed.GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, replayed.GetProperty("value").ValueKind);
        Assert.Contains("Regenerate", replayed.GetProperty("value_unavailable_reason").GetString());
        Assert.Equal(3, (await KeyIdsAsync(restarted)).Count);

        // The process that made the key still holds its secret and replays it.
        using var sameProcess = await PostAsync(client, "/api/v2/keys", "stored", CreateBody);
        Assert.Equal(secret, (await sameProcess.ResultAsync()).GetProperty("value").GetString());
        Assert.False(sameProcess.Headers.Contains("Idempotent-Secret-Unavailable"));
    }

    [Fact]
    public async Task A_crash_after_the_key_is_written_but_before_its_response_is_remembered_leaves_neither_and_the_retry_creates_one_key()
    {
        var crash = new CrashAfterKeyInsert();
        await using var api = new ApiFactory(testServices: services =>
            services.ConfigureDbContext<ApplicationDbContext>(o => o.AddInterceptors(crash), ServiceLifetime.Singleton));
        var caller = await api.CreateKeyAsync("Caller");
        using var client = api.Client(caller.Secret);

        crash.Arm();
        try
        {
            using var crashed = await PostAsync(client, "/api/v2/keys", "crash", CreateBody);
            Assert.Equal(HttpStatusCode.InternalServerError, crashed.StatusCode);
        }
        catch (InvalidOperationException e) when (e.Message == CrashAfterKeyInsert.Message)
        {
            // The test server passes an unhandled exception straight to the client: the same crash.
        }
        Assert.True(crash.Crashed);

        Assert.Equal([caller.Key.Id], await KeyIdsAsync(api));
        Assert.Equal(0, await api.WithDbAsync(db => db.IdempotencyRecords.CountAsync()));

        using var retry = await PostAsync(client, "/api/v2/keys", "crash", CreateBody);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.False(retry.Headers.Contains("Idempotent-Replayed"));
        var secret = (await retry.ResultAsync()).GetProperty("value").GetString()!;
        using var again = await PostAsync(client, "/api/v2/keys", "crash", CreateBody);
        Assert.Equal(secret, (await again.ResultAsync()).GetProperty("value").GetString());
        Assert.Equal(2, (await KeyIdsAsync(api)).Count);
    }

    /// <summary>
    /// Once armed, fails the first command that writes the idempotency table after (or together with) a key's
    /// INSERT: the moment a process could die between writing a key and remembering the response that holds it.
    /// </summary>
    private sealed class CrashAfterKeyInsert : DbCommandInterceptor
    {
        public const string Message = "Simulated crash";
        private int armed;
        private int keyInserted;

        public bool Crashed { get; private set; }

        public void Arm() => Volatile.Write(ref armed, 1);

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Check(command);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Check(command);
            return ValueTask.FromResult(result);
        }

        private void Check(DbCommand command)
        {
            if (Volatile.Read(ref armed) == 0)
            {
                return;
            }
            if (command.CommandText.Contains("INSERT INTO \"ApiKeys\"", StringComparison.Ordinal))
            {
                Volatile.Write(ref keyInserted, 1);
            }
            var writesRecords = command.CommandText.Contains("INSERT INTO \"IdempotencyRecords\"", StringComparison.Ordinal)
                || command.CommandText.Contains("UPDATE \"IdempotencyRecords\"", StringComparison.Ordinal);
            if (writesRecords && Volatile.Read(ref keyInserted) == 1 && Interlocked.Exchange(ref armed, 0) == 1)
            {
                Crashed = true;
                throw new InvalidOperationException(Message);
            }
        }
    }

    private static async Task<byte[]> ReadSharedAsync(string file)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, TestContext.Current.CancellationToken);
        return copy.ToArray();
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string url, string idempotencyKey, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = ApiJson.Body(json) };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task Remembered_responses_are_deleted_when_their_window_ends()
    {
        await using var api = new ApiFactory();
        var caller = await api.CreateKeyAsync("caller");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v2/keys") { Content = ApiJson.Body(CreateBody) };
        request.Headers.Add("Idempotency-Key", "swept");
        Assert.Equal(System.Net.HttpStatusCode.Created, (await api.Client(caller.Secret).SendAsync(request)).StatusCode);
        await api.WithDbAsync(db => db.IdempotencyRecords.Where(r => r.Key == "swept")
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.ExpiresAt, DateTime.UtcNow.AddSeconds(-1))));

        await using var scope = api.Services.CreateAsyncScope();
        var deleted = await scope.ServiceProvider.GetRequiredService<KeysDashboard.Idempotency.IdempotentRequests>().DeleteExpiredAsync(CancellationToken.None);

        Assert.Equal(1, deleted);
        Assert.Equal(0, await api.WithDbAsync(db => db.IdempotencyRecords.CountAsync()));
    }

    private static Task<List<string>> KeyIdsAsync(ApiFactory api) =>
        api.WithDbAsync(db => db.ApiKeys.OrderBy(k => k.Id).Select(k => k.Id).ToListAsync());
}