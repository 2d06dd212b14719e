using System.Net;
using KeysDashboard.Tests.Infrastructure;

namespace KeysDashboard.Tests.Users;

/// <summary>
/// A rejected form comes back with its messages, never with the password typed into it: the page HTML would keep
/// it in the browser's history, caches and any screenshot or support ticket made of the error.
/// </summary>
public sealed class PasswordEchoTests : IAsyncLifetime
{
    private const string WrongPassword = "Wrong-Password-Echo-7f3a";
    private const string NewPassword = "New-Password-Echo-91bc";
    private const string OtherConfirmation = "Other-Confirmation-Echo-c24e";
    private readonly AppFactory app = new();

    public async ValueTask InitializeAsync() => await Owner.SetUpAsync(app.CreateBrowserLikeClient());

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task A_wrong_password_at_sign_in_is_not_sent_back()
    {
        var response = await Owner.SignInAsync(app.CreateBrowserLikeClient(), password: WrongPassword);

        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Invalid email or password.", html);
        Assert.Contains(Owner.Email, html);
        Assert.DoesNotContain(WrongPassword, html);
    }

    [Fact]
    public async Task A_sign_in_that_fails_validation_does_not_send_the_password_back()
    {
        var response = await Owner.SignInAsync(app.CreateBrowserLikeClient(), email: "not an email", password: WrongPassword);

        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("not a valid e-mail address", html);
        Assert.DoesNotContain(WrongPassword, html);
    }

    [Fact]
    public async Task A_wrong_current_password_on_change_password_sends_none_of_the_three_back()
    {
        var client = app.CreateBrowserLikeClient();
        await Owner.SignInAsync(client);

        var response = await ChangePasswordAsync(client, WrongPassword, NewPassword, NewPassword);

        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Incorrect password.", html);
        Assert.DoesNotContain(WrongPassword, html);
        Assert.DoesNotContain(NewPassword, html);
    }

    [Fact]
    public async Task A_mismatched_confirmation_on_change_password_sends_none_of_the_three_back()
    {
        var client = app.CreateBrowserLikeClient();
        await Owner.SignInAsync(client);

        var response = await ChangePasswordAsync(client, Owner.Password, NewPassword, OtherConfirmation);

        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("do not match", html);
        Assert.DoesNotContain(Owner.Password, html);
        Assert.DoesNotContain(NewPassword, html);
        Assert.DoesNotContain(OtherConfirmation, html);
    }

    private static Task<HttpResponseMessage> ChangePasswordAsync(HttpClient client, string current, string next, string confirmation) =>
        FormPost.SubmitAsync(client, "/Account/Manage/ChangePassword", "change-password", new Dictionary<string, string>
        {
            ["Input.OldPassword"] = current,
            ["Input.NewPassword"] = next,
            ["Input.ConfirmPassword"] = confirmation,
        });
}
