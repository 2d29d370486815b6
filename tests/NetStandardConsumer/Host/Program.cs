int sum = await Library.Replies.SumAsync();
if (sum != 6)
{
    Console.Error.WriteLine($"expected 6, got {sum}");
    return 1;
}

Console.WriteLine("netstandard consumer: a netstandard2.0 library built against the package ran on .NET");
return 0;
