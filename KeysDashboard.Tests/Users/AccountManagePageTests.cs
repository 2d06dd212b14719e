using System.Net;
using System.Text.RegularExpressions;
using KeysDashboard.Tests.Infrastructure;

namespace KeysDashboard.Tests.Users;

/// <summary>The account settings pages, as a signed-in owner gets them: one heading each, the way back, no template leftovers.</summary>
public sealed partial class AccountManagePageTests : IAsyncLifetime
{
    private readonly AppFactory app = new();
    private HttpClient owner = default!;

    public async ValueTask InitializeAsync()
    {
        owner = app.CreateBrowserLikeClient();
        await Owner.SetUpAsync(owner);
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Theory]
    [InlineData("/Account/Manage")]
    [InlineData("/Account/Manage/ChangePassword")]
    [InlineData("/Account/Manage/TwoFactorAuthentication")]
    [InlineData("/Account/Manage/EnableAuthenticator")]
    [InlineData("/Account/Manage/ResetAuthenticator")]
    [InlineData("/Account/Manage/Passkeys")]
    public async Task Each_settings_page_has_one_h1_the_tabs_and_a_link_back_to_the_keys(string path)
    {
        var response = await owner.GetAsync(path);

        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(H1().Matches(html));
        Assert.Contains("aria-label=\"Account settings\"", html);
        Assert.Single(CurrentTab().Matches(html));
        Assert.Contains("href=\"keys\"", html);
        Assert.DoesNotContain("bootstrap", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_profile_shows_the_account_and_has_no_phone_number_field()
    {
        var html = await owner.GetStringAsync("/Account/Manage");

        Assert.Contains(Owner.Email, html);
        Assert.Contains("Admin", html);
        Assert.DoesNotContain("phone", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<form", html, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("/Account/Login")]
    [InlineData("/Account/Lockout")]
    [InlineData("/Account/AccessDenied")]
    public async Task Each_sign_in_page_has_one_h1_and_no_bootstrap(string path)
    {
        var html = await app.CreateBrowserLikeClient().GetStringAsync(path);

        Assert.Single(H1().Matches(html));
        Assert.DoesNotContain("bootstrap", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("--mud-palette-primary", html);
    }

    [GeneratedRegex("<h1[ >]")]
    private static partial Regex H1();

    [GeneratedRegex("aria-current=\"page\"")]
    private static partial Regex CurrentTab();
}
