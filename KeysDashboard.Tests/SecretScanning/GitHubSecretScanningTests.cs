using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KeysDashboard.Audit;
using KeysDashboard.Keys;
using KeysDashboard.SecretScanning;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.SecretScanning;

/// <summary>
/// The partner endpoint against the real app, with GitHub played by a key pair made here and a public-key
/// document served by a test handler in place of api.github.com.
/// </summary>
public sealed class GitHubSecretScanningTests : IAsyncLifetime
{
    private const string KeysUrl = "https://github.test/meta/public_keys/secret_scanning";
    private const string KeyId = "90a421169f0a406205f1563a953312f0be898d3c7b6c06b681aa86a874555f4a";

    private readonly ECDsa github = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly PublicKeyServer keyServer = new();
    private readonly ApiFactory app;

    public GitHubSecretScanningTests()
    {
        keyServer.Document = Document((KeyId, github));
        app = Create(enabled: true, keyServer);
    }

    private static ApiFactory Create(bool enabled, PublicKeyServer server) => new(
        new Dictionary<string, string?>
        {
            ["SecretScanning:GitHub:Enabled"] = enabled ? "true" : "false",
            ["SecretScanning:GitHub:PublicKeysUrl"] = KeysUrl,
        },
        services => services.AddHttpClient(GitHubPublicKeys.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => server));

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        github.Dispose();
    }

    private static string Document(params (string Id, ECDsa Key)[] keys) => JsonSerializer.Serialize(new
    {
        public_keys = keys.Select((k, i) => new { key_identifier = k.Id, key = k.Key.ExportSubjectPublicKeyInfoPem(), is_current = i == 0 }),
    });

    private static string Batch(params (string Token, string Url)[] items) => JsonSerializer.Serialize(
        items.Select(i => new { token = i.Token, type = "keysdashboard_api_key", url = i.Url, source = "content" }));

    private Task<HttpResponseMessage> PostAsync(string body, ECDsa? signer = null, string keyId = KeyId, Func<byte[], byte[]>? tamper = null, ApiFactory? to = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var signature = (signer ?? github).SignData(bytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var request = new HttpRequestMessage(HttpMethod.Post, GitHubSecretScanningEndpoint.Path)
        {
            Content = new ByteArrayContent(tamper?.Invoke(bytes) ?? bytes) { Headers = { { "Content-Type", "application/json" } } },
        };
        request.Headers.Add(GitHubSecretScanningEndpoint.IdentifierHeader, keyId);
        request.Headers.Add(GitHubSecretScanningEndpoint.SignatureHeader, Convert.ToBase64String(signature));
        return (to ?? app).Client().SendAsync(request);
    }

    private async Task<List<ApiKey>> KeysAsync() => await app.WithDbAsync(db => db.ApiKeys.AsNoTracking().ToListAsync());

    private async Task<List<AuditEntry>> AuditAsync() => await app.WithDbAsync(db => db.AuditEntries.AsNoTracking().OrderBy(a => a.Seq).ToListAsync());

    [Fact]
    public async Task A_signed_batch_disables_known_and_grace_period_keys_and_labels_every_token()
    {
        var leaked = await app.CreateKeyAsync("Leaked");
        var rotated = await app.CreateKeyAsync("Rotated");
        var untouched = await app.CreateKeyAsync("Untouched");
        var renewed = await app.WithKeysAsync(k => k.RegenerateAsync(rotated.Key.Id, TimeSpan.FromHours(1), ApiFactory.Admin));
        var unknown = KeySecret.Generate("kd_");
        var malformed = leaked.Secret[..^1] + (leaked.Secret[^1] == 'A' ? 'B' : 'A');
        var body = Batch(
            (leaked.Secret, "https://github.com/octo/repo/blob/abc/config.yml"),
            (unknown, "https://github.com/octo/repo/blob/abc/other.yml"),
            (malformed, "https://github.com/octo/repo/blob/abc/typo.yml"),
            (rotated.Secret, "https://gist.github.com/octo/1"));

        var response = await PostAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var labels = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray().ToList();
        Assert.Equal(4, labels.Count);
        Assert.Equal(["true_positive", "false_positive", "false_positive", "true_positive"], labels.Select(l => l.GetProperty("label").GetString()));
        Assert.Equal(KeySecret.Hash(leaked.Secret), labels[0].GetProperty("token_hash").GetString());
        Assert.Equal("keysdashboard_api_key", labels[0].GetProperty("token_type").GetString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(leaked.Secret, text);
        Assert.DoesNotContain(unknown, text);

        var keys = await KeysAsync();
        Assert.False(keys.Single(k => k.Id == leaked.Key.Id).Enabled);
        Assert.False(keys.Single(k => k.Id == rotated.Key.Id).Enabled);
        Assert.True(keys.Single(k => k.Id == untouched.Key.Id).Enabled);

        var disables = (await AuditAsync()).Where(a => a.Action == AuditActions.KeyDisabled).ToList();
        Assert.Equal(2, disables.Count);
        Assert.Equal("Leaked publicly (GitHub secret scanning): https://github.com/octo/repo/blob/abc/config.yml",
            disables.Single(a => a.KeyId == leaked.Key.Id).Reason);
        Assert.Equal("Leaked publicly (GitHub secret scanning): https://gist.github.com/octo/1", disables.Single(a => a.KeyId == rotated.Key.Id).Reason);
        Assert.All(disables, a => Assert.Equal("github-secret-scanning", a.ActorId));
        Assert.DoesNotContain(await AuditAsync(), a => (a.Details ?? "").Contains(leaked.Secret) || (a.Reason ?? "").Contains(leaked.Secret));
        Assert.NotNull(renewed);
    }

    [Fact]
    public async Task A_replayed_batch_changes_nothing_more_and_still_labels_the_key_a_true_positive()
    {
        var leaked = await app.CreateKeyAsync("Leaked");
        var body = Batch((leaked.Secret, "https://github.com/octo/repo/blob/abc/a.txt"));

        var first = await PostAsync(body);
        var version = (await KeysAsync()).Single().Version;
        var second = await PostAsync(body);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("true_positive", JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement[0].GetProperty("label").GetString());
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(version, (await KeysAsync()).Single().Version);
        Assert.Single(await AuditAsync(), a => a.Action == AuditActions.KeyDisabled);
        // The second report is still on record, with where it leaked.
        Assert.Contains(await AuditAsync(), a => a.Action == AuditActions.KeyLookedUp && a.KeyId == leaked.Key.Id && a.Reason!.Contains("a.txt"));
    }

    [Fact]
    public async Task Parallel_deliveries_of_the_same_batch_disable_the_key_once()
    {
        var leaked = await app.CreateKeyAsync("Leaked");
        var body = Batch((leaked.Secret, "https://github.com/octo/repo/blob/abc/a.txt"));

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => PostAsync(body)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.False((await KeysAsync()).Single().Enabled);
        Assert.Single(await AuditAsync(), a => a.Action == AuditActions.KeyDisabled);
    }

    [Fact]
    public async Task A_tampered_body_is_refused_with_401_and_changes_nothing()
    {
        var leaked = await app.CreateKeyAsync("Leaked");
        var body = Batch((leaked.Secret, "https://github.com/octo/repo/blob/abc/a.txt"));

        var response = await PostAsync(body, tamper: bytes => [.. bytes, (byte)' ']);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.True((await KeysAsync()).Single().Enabled);
        Assert.DoesNotContain(await AuditAsync(), a => a.Action == AuditActions.KeyDisabled || a.Action == AuditActions.KeyLookedUp);
    }

    [Fact]
    public async Task A_signature_by_another_key_or_under_an_unknown_identifier_is_refused()
    {
        var leaked = await app.CreateKeyAsync("Leaked");
        var body = Batch((leaked.Secret, "https://github.com/octo/repo/blob/abc/a.txt"));
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(body, signer: attacker)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(body, keyId: "not-a-github-key")).StatusCode);
        Assert.True((await KeysAsync()).Single().Enabled);
    }

    [Fact]
    public async Task Missing_or_garbage_signature_headers_are_401_not_500()
    {
        var client = app.Client();
        var noHeaders = await client.PostAsync(GitHubSecretScanningEndpoint.Path, ApiJson.Body("[]"));
        var request = new HttpRequestMessage(HttpMethod.Post, GitHubSecretScanningEndpoint.Path) { Content = ApiJson.Body("[]") };
        request.Headers.Add(GitHubSecretScanningEndpoint.IdentifierHeader, KeyId);
        request.Headers.Add(GitHubSecretScanningEndpoint.SignatureHeader, "%%% not base64 %%%");
        var garbage = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, noHeaders.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, garbage.StatusCode);
    }

    [Fact]
    public async Task A_key_rotated_at_GitHub_is_fetched_again_when_its_identifier_first_appears()
    {
        var leaked = await app.CreateKeyAsync("Leaked");
        var body = Batch((leaked.Secret, "https://github.com/octo/repo/blob/abc/a.txt"));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(Batch())).StatusCode);
        using var rotatedKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        keyServer.Document = Document(("new-key", rotatedKey), (KeyId, github));

        var response = await PostAsync(body, signer: rotatedKey, keyId: "new-key");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, keyServer.Requests);
    }

    [Fact]
    public async Task Unknown_identifiers_do_not_make_the_app_fetch_GitHub_keys_on_every_request()
    {
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(Batch())).StatusCode);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(Batch(), keyId: $"forged-{i}")).StatusCode);
        }

        // The first call fetched, the first unknown identifier refetched once; the rest wait for the interval.
        Assert.True(keyServer.Requests <= 2, $"{keyServer.Requests} fetches");
    }

    [Fact]
    public async Task A_signed_body_that_is_not_a_token_array_is_400()
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync("{\"token\":\"x\"}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync("[{\"token\":")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync("[null]")).StatusCode);
    }

    [Fact]
    public async Task A_body_over_one_megabyte_is_413()
    {
        var huge = "[" + string.Join(",", Enumerable.Repeat("{\"token\":\"" + new string('a', 100) + "\"}", 11_000)) + "]";

        var response = await PostAsync(huge);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Hostile_urls_are_neutralised_in_the_audit_reason()
    {
        var leaked = await app.CreateKeyAsync("Leaked");
        var body = Batch((leaked.Secret, "javascript:alert(1)\r\nInjected: yes"));

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(body)).StatusCode);

        var disable = Assert.Single(await AuditAsync(), a => a.Action == AuditActions.KeyDisabled);
        Assert.Equal("Leaked publicly (GitHub secret scanning): (no URL given)", disable.Reason);
        Assert.Equal("https://example.com/a", GitHubLeakReport.SafeUrl("https://user:pass@example.com/a"));
        Assert.True(GitHubLeakReport.SafeUrl("https://example.com/" + new string('x', 1000)).Length <= GitHubLeakReport.MaxUrlLength + 1);
    }

    [Fact]
    public async Task Switched_off_the_endpoint_is_404_even_with_a_valid_signature()
    {
        await using var off = Create(enabled: false, keyServer);
        var body = Batch();

        var response = await PostAsync(body, to: off);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, keyServer.Requests);
    }

    [Fact]
    public async Task An_api_key_is_not_needed_and_not_enough()
    {
        var caller = await app.CreateKeyAsync("Caller");
        var response = await app.Client(caller.Secret).PostAsync(GitHubSecretScanningEndpoint.Path, ApiJson.Body(Batch((caller.Secret, "https://x.test/"))));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.True((await KeysAsync()).Single().Enabled);
    }

    /// <summary>Plays api.github.com: serves whatever document the test set, counting fetches.</summary>
    private sealed class PublicKeyServer : HttpMessageHandler
    {
        private int requests;

        public string Document { get; set; } = "{\"public_keys\":[]}";

        public int Requests => Volatile.Read(ref requests);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref requests);
            Assert.Equal(KeysUrl, request.RequestUri!.ToString());
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(Document, Encoding.UTF8, "application/json") });
        }
    }
}
