var builder = WebApplication.CreateBuilder(AppContentRoot.Options(CreateKeyCommand.IsInvocation(args) ? [] : args));

builder.UseTopLevelAppSettings();
builder.AddDatabase();
builder.AddDashboardIdentity();
builder.AddOwnerSetup();
builder.AddUsers();
builder.AddKeys();
builder.AddApi();
builder.AddSecretScanning();
builder.AddSupportDesk();
builder.AddDashboardUi();
if (CreateKeyCommand.IsInvocation(args))
{
    // The secret is the only thing on stdout, so a script can capture it; logs go to stderr.
    builder.Logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
}

var app = builder.Build();

await app.MigrateDatabaseAsync();
await app.SeedRolesAsync();
await app.BootstrapOwnerAsync();
if (CreateKeyCommand.IsInvocation(args))
{
    return await app.RunCreateKeyCommandAsync(args, Console.Out, Console.Error);
}

// Order matters: the client's address and request id are settled before anyone authenticates.
app.UseRequestEdge();
app.UseSecurityHeaders();
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();
app.UseTwoFactorRequirement();
app.UseRateLimiter();
app.UseDashboard();
app.MapApi();
app.MapSecretScanning();
app.MapDashboard();

await app.RunAsync();
return 0;

public partial class Program;
