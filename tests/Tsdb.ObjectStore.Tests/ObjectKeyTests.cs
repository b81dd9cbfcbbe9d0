using System.Text;

namespace Tsdb.ObjectStore.Tests;

public sealed class ObjectKeyTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("dbs/mydb/cpu/2024-01-01/00000000000000000042.parquet")]
    [InlineData("with space/ünïcødé/日本/😀")]
    [InlineData("..a/b..")]
    [InlineData(".hidden/x.tmp")]
    [InlineData("a/.tmp")]
    public void Accepts(string key) => ObjectKey.Validate(key);

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("/a", "it starts with '/' (keys are relative)")]
    [InlineData("a/", "it has an empty segment ('//' or a trailing '/')")]
    [InlineData("a//b", "it has an empty segment ('//' or a trailing '/')")]
    [InlineData("a/../b", "it has a '..' segment")]
    [InlineData("./b", "it has a '.' segment")]
    [InlineData("a\\b", "it contains '\\' (the separator is '/')")]
    [InlineData("a\tb", "it contains the control character U+0009")]
    [InlineData("a\u007Fb", "it contains the control character U+007F")]
    [InlineData("x/.f.parquet.1.abc.tmp", "segment '.f.parquet.1.abc.tmp' has the shape reserved for temporary files ('.' … '.tmp')")]
    public void Refuses_with_a_reason(string key, string reason)
    {
        var e = Assert.Throws<ArgumentException>(() => ObjectKey.Validate(key));
        Assert.StartsWith($"invalid object key '", e.Message, StringComparison.Ordinal);
        Assert.Contains($"': {reason}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_unpaired_surrogates()
    {
        // Built here: xunit would mangle an unpaired surrogate in [InlineData] while serialising the case.
        foreach (var key in new[] { "a" + '\uD800' + "b", "a" + '\uDC00', "" + '\uDBFF' })
        {
            var e = Assert.Throws<ArgumentException>(() => ObjectKey.Validate(key));
            Assert.Contains("unpaired surrogate", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Refuses_keys_longer_than_1024_UTF8_bytes()
    {
        ObjectKey.Validate(new string('a', 1024));
        Assert.Throws<ArgumentException>(() => ObjectKey.Validate(new string('a', 1025)));
        Assert.Throws<ArgumentException>(() => ObjectKey.Validate(new string('é', 513))); // 1026 bytes
    }

    [Fact]
    public void Control_characters_are_escaped_in_the_message()
    {
        var e = Assert.Throws<ArgumentException>(() => ObjectKey.Validate("a\nb"));
        Assert.Contains("'a\\u000Ab'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("dbs/")]
    [InlineData("dbs/my")]
    [InlineData("..")]
    [InlineData("dbs/.")]
    public void Accepts_prefixes(string prefix) => ObjectKey.ValidatePrefix(prefix);

    [Theory]
    [InlineData("/")]
    [InlineData("../")]
    [InlineData("a/./")]
    [InlineData("a//")]
    [InlineData("a\\")]
    public void Refuses_prefixes(string prefix) => Assert.Throws<ArgumentException>(() => ObjectKey.ValidatePrefix(prefix));

    [Fact]
    public void Compare_is_UTF8_byte_order()
    {
        var random = new Random(1);
        string[] alphabet = ["a", "b", "/", ".", "-", "é", "\uE000", "\uFFFD", "\U0001F600", "\U00010000", "Z", "0", " "];
        for (var i = 0; i < 5000; i++)
        {
            var x = RandomKey(random, alphabet);
            var y = RandomKey(random, alphabet);
            var expected = Math.Sign(Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y)));
            Assert.Equal(expected, Math.Sign(ObjectKey.Compare(x, y)));
        }
    }

    private static string RandomKey(Random random, string[] alphabet)
    {
        var builder = new StringBuilder();
        var length = random.Next(0, 6);
        for (var i = 0; i < length; i++)
        {
            builder.Append(alphabet[random.Next(alphabet.Length)]);
        }
        return builder.ToString();
    }
}
