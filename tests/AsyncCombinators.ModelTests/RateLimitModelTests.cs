using System.Threading.RateLimiting;
using AsyncCombinators.ModelTests.Infrastructure;
using CsCheck;
using Xunit.Abstractions;

namespace AsyncCombinators.ModelTests;

/// <summary>
/// ConcurrencyOptions on a fake clock: MaxPerSecond spaces consecutive starts at least 1/rate apart, and a RateLimiter
/// that refuses some requests (with a RetryAfter as a TimeSpan, as a number of seconds, or none) is waited out, one
/// lease per start, each disposed once its operation has finished. Gather over a source and a selector plays each.
/// </summary>
public sealed class RateLimitModelTests
{
    private const int MaxSteps = 400;
    private readonly ITestOutputHelper _output;

    public RateLimitModelTests(ITestOutputHelper output) => _output = output;

    /// <summary>Items: how each operation ends (0 value, 1 fault) and how many clock steps it runs (0: synchronously).</summary>
    private static Gen<(int Kind, int Duration)[]> Items { get; } =
        Gen.Select(Gen.Frequency((8, Gen.Const(0)), (1, Gen.Const(1))), Gen.Frequency((2, Gen.Const(0)), (1, Gen.Int[1, 3]))).Array[0, 12];

    [Fact]
    public void Gather_MaxPerSecondOnFakeClock_StartsAtLeastOneIntervalApart() =>
        ModelProperty.Run(
            Gen.Select(Items, Gen.Int[0, 3], Gen.OneOf(Gen.Const(1.0), Gen.Const(2.0), Gen.Const(4.0), Gen.Const(10.0))),
            (s, _) => Play(s.Item1, s.Item2, s.Item3, refusals: null, retryAfter: 0),
            _output);

    [Fact]
    public void Gather_RateLimiterRefusesSome_WaitsThemOutOneLeasePerStart() =>
        ModelProperty.Run(
            Gen.Select(Items, Gen.Int[0, 3], Gen.Int[0, 3].Array[12], Gen.Int[0, 2]),
            (s, _) => Play(s.Item1, s.Item2, rate: null, refusals: s.Item3, retryAfter: s.Item4),
            _output);

    /// <summary>
    /// Plays one run: the clock advances by a quarter second whenever the library waits on it; <paramref name="retryAfter"/>
    /// is 0 (no metadata), 1 (a TimeSpan of one second) or 2 (a boxed int of one second, as RedisRateLimiting stores it).
    /// </summary>
    private static void Play((int Kind, int Duration)[] items, int max, double? rate, int[]? refusals, int retryAfter)
    {
        var time = new ProbeTimeProvider();
        var exceptions = items.Select((_, i) => new ScenarioException(true, $"operation {i} of a rate-limited run")).ToArray();
        var starts = new List<(int Item, TimeSpan At)>();
        var pending = new List<(TaskCompletionSource<int> Source, int Item, long DueStep)>();
        var limiter = refusals is null ? null : new RefusingLimiter(refusals, retryAfter);
        DateTimeOffset origin = time.GetUtcNow();
        long step = 0;
        string scenario = $"items=[{string.Join(",", items)}] max={max} rate={rate} refusals=[{string.Join(",", refusals ?? [])}] retryAfter={retryAfter}";

        var options = new ConcurrencyOptions
        {
            MaxConcurrency = max == 0 ? null : max,
            MaxPerSecond = rate,
            RateLimiter = limiter,
            TimeProvider = time,
        };
        Task<int[]> call = Async.Gather(
            Enumerable.Range(0, items.Length),
            (item, ct) =>
            {
                lock (starts)
                {
                    starts.Add((item, time.GetUtcNow() - origin));
                    if (limiter is not null && (limiter.Granted != starts.Count || limiter.Held < 1))
                    {
                        throw new ModelDivergenceException($"operation {item} started after {limiter.Granted} lease(s) for {starts.Count} start(s). Scenario: {scenario}");
                    }
                }

                (int kind, int duration) = items[item];
                if (duration == 0)
                {
                    return kind == 0 ? Task.FromResult(item) : Task.FromException<int>(exceptions[item]);
                }

                var source = new TaskCompletionSource<int>();
                lock (pending)
                {
                    pending.Add((source, item, Interlocked.Read(ref step) + duration));
                }

                return source.Task;
            },
            options,
            CancellationToken.None);

        while (!call.IsCompleted)
        {
            Driver.Require(step < MaxSteps, () => $"the run has not ended after {MaxSteps} quarter seconds", scenario);
            Hang.Until(
                () => call.IsCompleted || time.Armed > 0 || PendingCount(pending) > 0,
                () => $"the run waits on nothing. Scenario: {scenario}");
            time.Advance(TimeSpan.FromSeconds(0.25));
            long now = Interlocked.Increment(ref step);
            List<(TaskCompletionSource<int> Source, int Item, long DueStep)> due;
            lock (pending)
            {
                due = pending.Where(p => p.DueStep <= now).ToList();
                pending.RemoveAll(p => p.DueStep <= now);
            }

            foreach ((TaskCompletionSource<int> source, int item, _) in due)
            {
                if (items[item].Kind == 0)
                {
                    source.SetResult(item);
                }
                else
                {
                    source.SetException(exceptions[item]);
                }
            }
        }

        int firstFault = Array.FindIndex(items, i => i.Kind == 1);
        List<(int Item, TimeSpan At)> started;
        lock (starts)
        {
            started = starts.ToList();
        }

        Driver.Require(started.Select(s => s.Item).SequenceEqual(Enumerable.Range(0, started.Count)), () => "operations did not start in source order", scenario);
        if (firstFault < 0)
        {
            Driver.Require(call.IsCompletedSuccessfully && call.Result.SequenceEqual(Enumerable.Range(0, items.Length)), () => $"ended {call.Status}, expected every value", scenario);
        }
        else
        {
            Driver.Require(call.IsFaulted, () => $"ended {call.Status}, expected a fault", scenario);
            Driver.Require(call.Exception!.InnerExceptions.All(e => exceptions.Contains(e)), () => "the run threw an exception no operation threw", scenario);
            Driver.Require(started.Count <= items.Length, () => "an operation started twice", scenario);
        }

        if (rate is { } perSecond)
        {
            TimeSpan interval = TimeSpan.FromSeconds(1 / perSecond);
            for (int i = 1; i < started.Count; i++)
            {
                TimeSpan gap = started[i].At - started[i - 1].At;
                Driver.Require(gap >= interval, () => $"operations {i - 1} and {i} started {gap.TotalSeconds} s apart at {perSecond} per second", scenario);
            }
        }

        if (limiter is not null)
        {
            Driver.Require(limiter.Granted == started.Count, () => $"{limiter.Granted} lease(s) granted for {started.Count} start(s)", scenario);
            Driver.Require(limiter.Held == 0, () => $"{limiter.Held} lease(s) still held after the run", scenario);
            int expectedRefusals = firstFault < 0 ? refusals!.Take(started.Count).Sum() : limiter.Refused;
            Driver.Require(limiter.Refused == expectedRefusals, () => $"{limiter.Refused} refusal(s), expected {expectedRefusals}: a refused request was not asked again", scenario);
        }

        Driver.Require(time.Armed == 0, () => $"{time.Armed} timer(s) armed after the run", scenario);
    }

    private static int PendingCount(List<(TaskCompletionSource<int> Source, int Item, long DueStep)> pending)
    {
        lock (pending)
        {
            return pending.Count;
        }
    }

    /// <summary>Refuses request k of start j <c>refusals[j]</c> times before granting it, counting the leases it hands out.</summary>
    private sealed class RefusingLimiter : RateLimiter
    {
        private readonly int[] _refusals;
        private readonly int _retryAfter;
        private int _start;
        private int _refusedThisStart;
        private int _held;
        private int _granted;
        private int _refused;

        public RefusingLimiter(int[] refusals, int retryAfter)
        {
            _refusals = refusals;
            _retryAfter = retryAfter;
        }

        public int Held => Volatile.Read(ref _held);

        public int Granted => Volatile.Read(ref _granted);

        public int Refused => Volatile.Read(ref _refused);

        public override TimeSpan? IdleDuration => null;

        public override RateLimiterStatistics? GetStatistics() => null;

        protected override RateLimitLease AttemptAcquireCore(int permitCount) => throw new NotSupportedException("the run acquires asynchronously");

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
        {
            lock (_refusals)
            {
                if (_refusedThisStart < _refusals[_start % _refusals.Length])
                {
                    _refusedThisStart++;
                    _refused++;
                    return new ValueTask<RateLimitLease>(new Lease(this, false));
                }

                _start++;
                _refusedThisStart = 0;
                _granted++;
                _held++;
                return new ValueTask<RateLimitLease>(new Lease(this, true));
            }
        }

        private sealed class Lease : RateLimitLease
        {
            private readonly RefusingLimiter _owner;
            private bool _disposed;

            public Lease(RefusingLimiter owner, bool acquired)
            {
                _owner = owner;
                IsAcquired = acquired;
            }

            public override bool IsAcquired { get; }

            public override IEnumerable<string> MetadataNames => _owner._retryAfter == 0 || IsAcquired ? [] : [MetadataName.RetryAfter.Name];

            public override bool TryGetMetadata(string metadataName, out object? metadata)
            {
                metadata = null;
                if (IsAcquired || _owner._retryAfter == 0 || metadataName != MetadataName.RetryAfter.Name)
                {
                    return false;
                }

                metadata = _owner._retryAfter == 1 ? TimeSpan.FromSeconds(1) : (object)1;
                return true;
            }

            protected override void Dispose(bool disposing)
            {
                if (!_disposed && IsAcquired)
                {
                    Interlocked.Decrement(ref _owner._held);
                }

                _disposed = true;
                base.Dispose(disposing);
            }
        }
    }
}
