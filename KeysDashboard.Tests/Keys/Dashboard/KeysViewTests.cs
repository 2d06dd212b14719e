using KeysDashboard.Keys;
using KeysDashboard.Keys.Dashboard;

namespace KeysDashboard.Tests.Keys.Dashboard;

/// <summary>The keys page's view in its URL: what a shared link means, and what the page writes back.</summary>
public sealed class KeysViewTests
{
    [Fact]
    public void The_default_view_is_the_bare_page()
    {
        Assert.Equal(KeysView.Default, KeysView.Parse(""));
        Assert.Equal("keys", KeysView.Default.ToUrl());
        Assert.Equal("keys", (KeysView.Default with { SortBy = KeySort.Created, Descending = true, Page = 0, PageSize = 25 }).ToUrl());
    }

    [Fact]
    public void Every_parameter_is_read_and_written_back_the_same()
    {
        const string url = "keys?q=billing%20bot&status=disabled&access=read-only&expiring=30&unused=90&sort=last_used&dir=asc&page=2&size=50";

        var view = KeysView.Parse(url[url.IndexOf('?')..]);

        Assert.Equal("billing bot", view.Search);
        Assert.Equal(KeyStatus.Disabled, view.Status);
        Assert.True(view.ReadOnly);
        Assert.Equal(30, view.ExpiringWithinDays);
        Assert.Equal(new UnusedFilter(90), view.Unused);
        Assert.Equal(KeySort.LastUsed, view.SortBy);
        Assert.False(view.Descending);
        Assert.Equal(2, view.Page);
        Assert.Equal(50, view.PageSize);
        Assert.Equal(url, view.ToUrl());
    }

    [Theory]
    [InlineData("?unused=never", "keys?unused=never")]
    [InlineData("?access=read-write&status=expired", "keys?status=expired&access=read-write")]
    [InlineData("?sort=name", "keys?sort=name")]
    [InlineData("?dir=asc", "keys?dir=asc")]
    public void Values_round_trip(string query, string expected)
    {
        Assert.Equal(expected, KeysView.Parse(query).ToUrl());
    }

    [Theory]
    [InlineData("?status=maybe&access=admin&expiring=-3&unused=sometimes&sort=secret&dir=up&page=-1&size=7")]
    [InlineData("?expiring=0&unused=0&page=99999999999999999999&size=1000000")]
    [InlineData("?expiring=1e3&unused=%00&status=&sort=NAME&dir=ASC")]
    [InlineData("?q=&q")]
    [InlineData("?%%%=%%%&&&==")]
    public void Invalid_values_are_ignored_rather_than_failing(string query)
    {
        Assert.Equal(KeysView.Default, KeysView.Parse(query));
    }

    [Fact]
    public void A_whole_secret_searched_for_stays_out_of_the_url()
    {
        var secret = KeySecret.Generate("kd_");

        Assert.Equal("keys?status=enabled", (KeysView.Default with { Search = "Bearer " + secret, Status = KeyStatus.Enabled }).ToUrl());
        Assert.Equal("keys?q=kd_...AbCd", (KeysView.Default with { Search = "kd_...AbCd" }).ToUrl());
    }
}
