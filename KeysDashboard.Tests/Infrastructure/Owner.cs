namespace KeysDashboard.Tests.Infrastructure;

internal static class Owner
{
    public const string Email = "owner@example.com";
    public const string Password = "correct horse battery";

    public static Task<HttpResponseMessage> SetUpAsync(HttpClient client, string email = Email, string password = Password) =>
        FormPost.SubmitAsync(client, "/setup", "setup", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = password,
        });

    public static Task<HttpResponseMessage> SignInAsync(
        HttpClient client, string email = Email, string password = Password, string path = "/Account/Login") =>
        FormPost.SubmitAsync(client, path, "login", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
}
