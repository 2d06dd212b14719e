using System.Net;
using KeysDashboard.Data;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.Users;

/// <summary>
/// Guessing passwords in parallel, as an attacker would: many sign-in form posts with valid antiforgery tokens
/// released at once against the app on a real Kestrel port. Each burst is repeated because the bug it guards
/// against (lost failure counts) showed only in some bursts.
/// </summary>
public sealed class SignInBruteForceTests
{
    private const int Burst = 40;
    private const string Invalid = "Invalid email or password.";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task A_parallel_burst_of_wrong_passwords_gets_five_evaluated_then_locks_the_account(int round)
    {
        var hashing = new CountingPasswordHasher();
        await using var app = await RunningAppAsync(services => services.AddSingleton<IPasswordHasher<ApplicationUser>>(hashing));
        var before = hashing.Verifications;

        var answers = await BurstAsync(app, Owner.Email, i => $"wrong password {round}.{i}");

        // Five passwords checked: four answered "invalid", the fifth locked the account; nobody else was checked.
        Assert.Equal(5, hashing.Verifications - before);
        Assert.Equal(4, answers.Count(a => a.Invalid));
        Assert.Equal(Burst - 4, answers.Count(a => a.LockedOut));
        Assert.True(await app.Factory.WithServiceAsync<bool, UserManager<ApplicationUser>>(async users =>
            await users.IsLockedOutAsync((await users.FindByEmailAsync(Owner.Email))!)));

        // The right password after the fifth counted failure does not sign in.
        var right = await SignInAsync(app, Owner.Email, Owner.Password);
        Assert.Contains("Account/Lockout", right.Headers.Location?.OriginalString);
        Assert.DoesNotContain(right.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [],
            c => c.StartsWith(".AspNetCore.Identity.Application=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_right_password_in_a_burst_signs_in_only_if_it_came_before_the_lock()
    {
        var hashing = new CountingPasswordHasher();
        await using var app = await RunningAppAsync(services => services.AddSingleton<IPasswordHasher<ApplicationUser>>(hashing));
        var before = hashing.Verifications;

        var answers = await BurstAsync(app, Owner.Email, i => i == Burst / 2 ? Owner.Password : $"wrong password {i}");

        var right = answers[Burst / 2];
        var wrong = answers.Where((_, i) => i != Burst / 2).ToList();
        var checkedPasswords = hashing.Verifications - before;
        Assert.All(answers, a => Assert.True(a.Invalid || a.LockedOut || a.SignedIn, $"unexpected answer {a.Status}"));
        Assert.DoesNotContain(wrong, a => a.SignedIn);
        if (right.SignedIn)
        {
            // A success resets the count: at most four failures before it, five after it, and itself.
            Assert.InRange(checkedPasswords, 6, 10);
        }
        else
        {
            Assert.True(right.LockedOut);
            Assert.Equal(5, checkedPasswords);
        }
    }

    [Fact]
    public async Task An_unknown_email_answers_and_locks_exactly_as_a_real_account_does()
    {
        await using var app = await RunningAppAsync();

        var real = await BurstAsync(app, Owner.Email, i => $"wrong password {i}");
        var unknown = await BurstAsync(app, "nobody@example.com", i => $"wrong password {i}");

        Assert.Equal(real.Count(a => a.Invalid), unknown.Count(a => a.Invalid));
        Assert.Equal(real.Count(a => a.LockedOut), unknown.Count(a => a.LockedOut));
        var lockedUnknown = await SignInAsync(app, "nobody@example.com", "any password at all");
        Assert.Contains("Account/Lockout", lockedUnknown.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task An_unknown_email_costs_a_password_hash_like_a_real_account()
    {
        var hashing = new CountingPasswordHasher();
        await using var app = await RunningAppAsync(services => services.AddSingleton<IPasswordHasher<ApplicationUser>>(hashing));

        var before = hashing.Verifications;
        await SignInAsync(app, Owner.Email, "wrong password");
        var forRealAccount = hashing.Verifications - before;
        before = hashing.Verifications;
        await SignInAsync(app, "nobody@example.com", "wrong password");
        var forUnknownEmail = hashing.Verifications - before;

        Assert.Equal(1, forRealAccount);
        Assert.Equal(forRealAccount, forUnknownEmail);
    }

    [Fact]
    public async Task One_address_is_limited_across_accounts_and_told_when_to_retry()
    {
        await using var app = await RunningAppAsync(perAddressPerMinute: 6);

        // Six posts for six different accounts pass the address limit; the seventh is refused before any check.
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 7; i++)
        {
            answers.Add(await SignInAsync(app, $"person{i}@example.com", "a guessed password"));
        }

        Assert.All(answers.Take(6), a => Assert.NotEqual(HttpStatusCode.TooManyRequests, a.StatusCode));
        var refused = answers[6];
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(refused.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 60);
        Assert.Contains("Too many sign-in attempts", await refused.Content.ReadAsStringAsync());
        // Loading the form is not an attempt.
        Assert.Equal(HttpStatusCode.OK, (await app.NewClient().GetAsync("/Account/Login")).StatusCode);
    }

    private sealed record Answer(HttpStatusCode Status, bool Invalid, bool LockedOut, bool SignedIn);

    /// <summary>Loads a form per client first, then releases all the posts at once.</summary>
    private static async Task<Answer[]> BurstAsync(RunningApp app, string email, Func<int, string> password)
    {
        var prepared = await Task.WhenAll(Enumerable.Range(0, Burst).Select(async i =>
        {
            var client = app.NewClient();
            var form = await FormPost.PrepareAsync(client, "/Account/Login", "login", new Dictionary<string, string>
            {
                ["Input.Email"] = email,
                ["Input.Password"] = password(i),
            });
            return (client, form);
        }));

        using var start = new ManualResetEventSlim();
        var posts = prepared.Select(p => Task.Run(async () =>
        {
            start.Wait();
            var response = await p.client.PostAsync("/Account/Login", p.form);
            var body = await response.Content.ReadAsStringAsync();
            var location = response.Headers.Location?.OriginalString ?? "";
            return new Answer(
                response.StatusCode,
                body.Contains(Invalid, StringComparison.Ordinal),
                location.Contains("Account/Lockout", StringComparison.Ordinal),
                response.StatusCode == HttpStatusCode.Redirect && !location.Contains("Account/", StringComparison.Ordinal));
        })).ToArray();
        start.Set();
        return await Task.WhenAll(posts);
    }

    private static Task<HttpResponseMessage> SignInAsync(RunningApp app, string email, string password) =>
        Owner.SignInAsync(app.NewClient(), email, password);

    private static async Task<RunningApp> RunningAppAsync(Action<IServiceCollection>? services = null, int perAddressPerMinute = 0)
    {
        var factory = new AppFactory(new Dictionary<string, string?>
        {
            ["SignIn:AttemptsPerAddressPerMinute"] = perAddressPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["urls"] = "http://127.0.0.1:0",
        }, services);
        factory.UseKestrel(0);
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var app = new RunningApp(factory, new Uri(address.Replace("[::]", "127.0.0.1")));
        var setUp = await Owner.SetUpAsync(app.NewClient());
        Assert.Equal(HttpStatusCode.Redirect, setUp.StatusCode);
        return app;
    }

    private sealed class RunningApp(AppFactory factory, Uri baseAddress) : IAsyncDisposable
    {
        public AppFactory Factory => factory;

        public HttpClient NewClient() => new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = baseAddress,
        };

        public ValueTask DisposeAsync() => factory.DisposeAsync();
    }

    private sealed class CountingPasswordHasher : IPasswordHasher<ApplicationUser>
    {
        private readonly PasswordHasher<ApplicationUser> inner = new();
        private int verifications;

        public int Verifications => Volatile.Read(ref verifications);

        public string HashPassword(ApplicationUser user, string password) => inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(ApplicationUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref verifications);
            return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
