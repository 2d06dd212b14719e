using System.Net;
using System.Text.RegularExpressions;
using KeysDashboard.Keys;
using KeysDashboard.SecretScanning;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace KeysDashboard.Tests.SecretScanning;

public sealed class DetectionRulesTests
{
    [Theory]
    [InlineData("kd_")]
    [InlineData("acme-")]
    [InlineData("X9")]
    public void The_regex_finds_a_generated_key_in_text_and_not_near_misses(string prefix)
    {
        var regex = new Regex(DetectionRules.Regex(prefix));
        var secret = KeySecret.Generate(prefix);

        Assert.Equal(secret, regex.Match($"API_KEY=\"{secret}\"\n").Value.TrimStart('"', '='));
        Assert.Matches(regex, secret);
        Assert.DoesNotMatch(regex, secret[..^1]);
        Assert.DoesNotMatch(regex, secret + "x");
        Assert.DoesNotMatch(regex, "zz" + secret);
        Assert.DoesNotMatch(regex, secret[..^10] + "!" + secret[^9..]);
        Assert.DoesNotMatch(regex, "other_" + secret[prefix.Length..]);
    }

    [Fact]
    public void The_gitleaks_file_has_one_rule_with_the_regex_and_the_prefix_as_keyword()
    {
        var toml = DetectionRules.Gitleaks("kd_");

        Assert.Contains("[[rules]]", toml);
        Assert.Contains("id = \"keysdashboard-api-key-kd\"", toml);
        Assert.Contains("description = ", toml);
        Assert.Contains($"regex = '''{DetectionRules.Regex("kd_")}'''", toml);
        Assert.Contains("keywords = [\"kd_\"]", toml);
        Assert.DoesNotContain("'''", DetectionRules.Regex("kd_"));
    }

    [Fact]
    public async Task The_rule_files_are_for_signed_in_people_who_may_look_up_leaked_keys()
    {
        await using var app = new AppFactory(new Dictionary<string, string?> { ["Keys:Prefix"] = "acme_" });
        var anonymous = app.CreateBrowserLikeClient();
        var anonymousResponse = await anonymous.GetAsync("/secret-scanning/rules/regex.txt");
        Assert.NotEqual(HttpStatusCode.OK, anonymousResponse.StatusCode);

        var owner = app.CreateBrowserLikeClient();
        await Owner.SetUpAsync(owner);
        var regex = await owner.GetAsync("/secret-scanning/rules/regex.txt");
        var gitleaks = await owner.GetAsync("/secret-scanning/rules/gitleaks.toml");

        Assert.Equal(HttpStatusCode.OK, regex.StatusCode);
        Assert.Equal(DetectionRules.Regex("acme_"), (await regex.Content.ReadAsStringAsync()).Trim());
        Assert.Equal(HttpStatusCode.OK, gitleaks.StatusCode);
        Assert.Contains("keywords = [\"acme_\"]", await gitleaks.Content.ReadAsStringAsync());

        // Demoted to Auditor a moment ago: the cookie still says Admin, the database does not.
        await app.WithDbAsync(async db =>
        {
            // The roles are seeded at start; the Auditor role is there already.
            var auditor = await db.Roles.SingleAsync(r => r.NormalizedName == "AUDITOR");
            await db.UserRoles.ExecuteDeleteAsync();
            db.UserRoles.Add(new IdentityUserRole<string> { UserId = (await db.Users.SingleAsync()).Id, RoleId = auditor.Id });
            return await db.SaveChangesAsync();
        });
        Assert.Equal(HttpStatusCode.Forbidden, (await owner.GetAsync("/secret-scanning/rules/regex.txt")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await owner.GetAsync("/secret-scanning/rules/gitleaks.toml")).StatusCode);
    }
}
