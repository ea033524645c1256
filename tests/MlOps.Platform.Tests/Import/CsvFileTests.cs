using System.Text;

namespace MlOps.Platform.Tests.Import;

/// <summary>CSV files as teams have them: the delimiters, quoting and encodings read, and every unusable file refused by line.</summary>
public class CsvFileTests
{
    [Theory]
    [InlineData("fair/fair.csv", ',', "rate_marriage", 6366)]
    [InlineData("anes96/anes96.csv", '\t', "'popul'", 944)]
    [InlineData("modechoice/modechoice.csv", ';', "individual", 840)]
    public void Published_files_are_read_with_their_own_delimiter_and_quoting(string file, char delimiter, string firstColumn, int rows)
    {
        var csv = CsvFile.Read(Statsmodels.Path(file));

        csv.Delimiter.Should().Be(delimiter);
        csv.Header[0].Should().Be(firstColumn, "double quotes around a name are CSV quoting, single quotes are part of the name");
        csv.Rows.Should().HaveCount(rows);
        csv.Rows.Should().OnlyContain(r => r.Cells.Count == csv.Header.Count);
        csv.Rows[0].Line.Should().Be(2);
    }

    [Fact]
    public void Quoted_values_keep_delimiters_doubled_quotes_and_line_breaks_and_rows_keep_their_line()
    {
        var csv = CsvFile.Parse("name,note,x\n\"Smith, J\",\"said \"\"hi\"\"\",1\n\"two\nlines\",plain,2\n\nlast,  spaced  ,3\n", "test.csv");

        csv.Rows[0].Cells.Should().Equal("Smith, J", "said \"hi\"", "1");
        csv.Rows[1].Cells.Should().Equal("two\nlines", "plain", "2");
        csv.Rows[2].Cells.Should().Equal("last", "spaced", "3");
        csv.Rows.Select(r => r.Line).Should().Equal(2, 3, 6);
    }

    [Fact]
    public void A_byte_order_mark_is_not_part_of_the_first_column_name()
    {
        var csv = CsvFile.Parse([.. Encoding.UTF8.GetPreamble(), .. "a;b\n1;2\n"u8.ToArray()], "bom.csv");

        csv.Header.Should().Equal("a", "b");
    }

    [Fact]
    public void A_written_cell_is_quoted_only_when_it_must_be_and_reads_back_the_same()
    {
        string[] cells = ["plain", "with, comma", "with \"quote\"", "two\nlines"];
        var line = string.Join(',', cells.Select(CsvFile.Quote));

        CsvFile.Quote("plain").Should().Be("plain");
        CsvFile.Parse("a,b,c,d\n" + line + "\n", "round-trip.csv").Rows[0].Cells.Should().Equal(cells);
    }

    [Theory]
    [InlineData(new byte[] { 0x61, 0x2C, 0x62, 0x0A, 0x31, 0x2C, 0xE9, 0x0A }, "line 2 has a byte (0xE9) that is not UTF-8")]
    [InlineData(new byte[] { 0x20, 0x0A }, "is empty")]
    public void Unreadable_bytes_are_refused_with_the_line_and_what_to_do(byte[] bytes, string expected)
    {
        var act = () => CsvFile.Parse(bytes, "bad.csv");

        act.Should().Throw<TrainingException>().Which.Message.Should().Contain(expected);
    }

    [Theory]
    [InlineData("1,2,3\n4,5,6\n", "has no header: its first row is all numbers")]
    [InlineData("a,b,A\n1,2,3\n", "names the column 'a' more than once (columns 1 and 3)")]
    [InlineData("a,,c\n1,2,3\n", "column 2 of the header has no name")]
    [InlineData("a,b\n1,2\n3,4,5\n", "line 3 has 3 values, the header has 2")]
    [InlineData("a,b\n1,\"open\n", "line 2 opens a quoted value that is never closed")]
    [InlineData("a b c\n1 2 3\n", "has one column only")]
    public void Unusable_files_are_refused_naming_the_line_or_column(string text, string expected)
    {
        var act = () => CsvFile.Parse(text, "bad.csv");

        act.Should().Throw<TrainingException>().Which.Message.Should().Contain("'bad.csv'").And.Contain(expected);
    }

    [Fact]
    public void The_space_separated_file_statsmodels_ships_is_refused_not_misread()
    {
        var act = () => CsvFile.Read(Statsmodels.Path("spector/spector.csv"));

        act.Should().Throw<TrainingException>().Which.Message.Should().Contain("one column only");
    }
}
