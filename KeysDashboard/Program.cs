var builder = WebApplication.CreateBuilder(AppContentRoot.Options(CommandLineVerbs.IsInvocation(args) ? [] : args));

builder.UseTopLevelAppSettings();
builder.AddDatabase();
builder.AddDashboardIdentity();
builder.AddOwnerSetup();
builder.AddUsers();
builder.AddKeys();
builder.AddApi();
builder.AddSecretScanning();
builder.AddSupportDesk();
builder.AddAudit();
builder.AddDashboardUi();
if (CommandLineVerbs.IsInvocation(args))
{
    // A verb's answer (a new key's secret, a verification's result) is all there is on stdout; logs go to stderr.
    builder.Logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
}

var app = builder.Build();

await app.MigrateDatabaseAsync();
await app.SeedRolesAsync();
await app.BootstrapOwnerAsync();
if (CommandLineVerbs.IsInvocation(args))
{
    return await app.RunCommandLineVerbAsync(args, Console.Out, Console.Error);
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
app.MapAudit();
app.MapSecretScanning();
app.MapDashboard();

await app.RunAsync();
return 0;

public partial class Program;
