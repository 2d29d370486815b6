using System.Collections.Generic;
using System.Threading.Channels;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace AsyncCombinators.Benchmarks;

/// <summary>
/// Merge of 8 async streams vs the Channel-based merge people write by hand: one producer task per source writing to
/// a channel, one reader. The sources are the same async iterators on every row: mostly synchronously available
/// items with an occasional Task.Yield, as a buffered network or file stream behaves.
/// </summary>
[MemoryDiagnoser]
public class MergeBenchmarks
{
    private const int SourceCount = 8;

    /// <summary>One item in this many makes its source yield to the thread pool first.</summary>
    private const int YieldEvery = 64;

    [ParamsSource(nameof(ItemCounts))]
    public int N { get; set; }

    public static IEnumerable<int> ItemCounts => Inputs.ItemCounts(100_000);

    [Benchmark(Baseline = true)]
    public Task<long> UnboundedChannel() => ChannelMerge(Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true }));

    /// <summary>Closer to Merge's back-pressure (Merge holds at most one item per source).</summary>
    [Benchmark]
    public Task<long> BoundedChannel() => ChannelMerge(Channel.CreateBounded<int>(new BoundedChannelOptions(SourceCount) { SingleReader = true }));

    [Benchmark]
    public async Task<long> Merge()
    {
        long sum = 0;
        await foreach (int item in Async.Merge(Sources()))
        {
            sum += item;
        }

        return sum;
    }

    private async Task<long> ChannelMerge(Channel<int> channel)
    {
        var producers = new Task[SourceCount];
        IAsyncEnumerable<int>[] sources = Sources();
        for (int i = 0; i < producers.Length; i++)
        {
            producers[i] = Produce(sources[i], channel.Writer);
        }

        Task completion = CompleteWhenDone(producers, channel.Writer);
        long sum = 0;
        await foreach (int item in channel.Reader.ReadAllAsync())
        {
            sum += item;
        }

        await completion;
        return sum;

        static async Task Produce(IAsyncEnumerable<int> source, ChannelWriter<int> writer)
        {
            await foreach (int item in source)
            {
                await writer.WriteAsync(item);
            }
        }

        static async Task CompleteWhenDone(Task[] producers, ChannelWriter<int> writer)
        {
            try
            {
                await Task.WhenAll(producers);
                writer.Complete();
            }
            catch (System.Exception e)
            {
                writer.Complete(e);
                throw;
            }
        }
    }

    private IAsyncEnumerable<int>[] Sources()
    {
        var sources = new IAsyncEnumerable<int>[SourceCount];
        for (int i = 0; i < sources.Length; i++)
        {
            sources[i] = Source(N);
        }

        return sources;
    }

    private static async IAsyncEnumerable<int> Source(int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (i % YieldEvery == YieldEvery - 1)
            {
                await Task.Yield();
            }

            yield return i;
        }
    }
}
