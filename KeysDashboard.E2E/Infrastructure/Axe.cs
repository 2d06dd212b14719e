using System.Text;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;

namespace KeysDashboard.E2E.Infrastructure;

/// <summary>
/// axe-core in the browser. Every rule axe runs by default runs here: no tag filter (a WCAG-tags-only run would
/// hide best-practice rules such as landmarks and heading order, which are what keyboard and screen-reader users
/// trip over) and no rule disabled. Whatever axe reports counts.
/// </summary>
public static class Axe
{
    public static async Task<IReadOnlyList<AxeResultItem>> ViolationsAsync(IPage page)
    {
        // Animations (dialogs fading in, ripples) make colour-contrast read half-transparent text; let them settle.
        await page.WaitForTimeoutAsync(300);
        var result = await page.RunAxe();
        return result.Violations;
    }

    /// <summary>Fails with every violation's id, impact, help and where it is, if axe finds anything.</summary>
    public static async Task AssertNoViolationsAsync(IPage page, string state)
    {
        var violations = await ViolationsAsync(page);
        if (violations.Count > 0)
        {
            Assert.Fail(Describe(state, violations));
        }
    }

    /// <summary>One paragraph per violation: id, impact, help, link, and the first few elements (selector + HTML).</summary>
    public static string Describe(string state, IReadOnlyList<AxeResultItem> violations)
    {
        var text = new StringBuilder();
        text.AppendLine($"{state}: {violations.Count} axe violation(s), {violations.Sum(v => v.Nodes.Length)} element(s)");
        foreach (var violation in violations)
        {
            text.AppendLine($"  - {violation.Id} [{violation.Impact}] {violation.Help} ({violation.Nodes.Length} element(s)) {violation.HelpUrl}");
            foreach (var node in violation.Nodes.Take(4))
            {
                var html = node.Html.Length > 200 ? node.Html[..200] + "…" : node.Html;
                text.AppendLine($"      {node.Target}  {html}");
                // axe's own "fix any of / fix all of" checks, which say what is wrong (e.g. the contrast ratio it measured).
                var summary = string.Join(" | ", node.Any.Concat(node.All).Concat(node.None).Select(check => check.Message).Where(m => !string.IsNullOrEmpty(m)).Distinct());
                if (!string.IsNullOrEmpty(summary))
                {
                    text.AppendLine($"        {(summary.Length > 300 ? summary[..300] + "…" : summary)}");
                }
            }
            if (violation.Nodes.Length > 4)
            {
                text.AppendLine($"      … and {violation.Nodes.Length - 4} more");
            }
        }
        return text.ToString();
    }
}
