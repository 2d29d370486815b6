using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using AsyncCombinators.Internal;

namespace AsyncCombinators;

/// <summary>
/// How an operation without a value ended: successfully, with a fault or with a cancellation.
/// The untyped twin of <see cref="Outcome{T}"/> (asyncio <c>task.exception()</c>).
/// </summary>
/// <remarks>
/// Exactly one of <see cref="IsSuccess"/>, <see cref="IsFaulted"/> and <see cref="IsCanceled"/> is <see langword="true"/>.
/// <c>default(Outcome)</c> is a success.
/// An outcome is the size of one reference. One read from a task (<c>GetOutcome</c>, <c>GatherOutcomes</c>) refers to that
/// task and reads its value or cancellation from it when asked, so it keeps the task reachable; a fault is read (and so
/// observed) once, when the outcome is made.
/// </remarks>
/// <example>
/// <code>
/// Outcome[] outcomes = await Async.GatherOutcomes(new Task[] { saveA, saveB });
/// outcomes[0].ThrowIfFailed();
/// </code>
/// </example>
[StructLayout(LayoutKind.Auto)]
public readonly struct Outcome : IEquatable<Outcome>
{
    /// <summary>How it ended, in one reference: null (a success), a completed task, or an exception (see <see cref="Internal.OutcomeSource"/>).</summary>
    private readonly object? _source;

    internal Outcome(object? source) => _source = source;

    /// <summary>Gets a successful outcome.</summary>
    public static Outcome Success => default;

    /// <summary>Gets a value indicating whether the operation completed successfully.</summary>
    [MemberNotNullWhen(false, nameof(Exception))]
    public bool IsSuccess => OutcomeSource.GetState(_source) == OutcomeState.Success;

    /// <summary>Gets a value indicating whether the operation failed with an exception other than a cancellation.</summary>
    [MemberNotNullWhen(true, nameof(Exception))]
    public bool IsFaulted => OutcomeSource.GetState(_source) == OutcomeState.Faulted;

    /// <summary>Gets a value indicating whether the operation was canceled.</summary>
    [MemberNotNullWhen(true, nameof(Exception))]
    public bool IsCanceled => OutcomeSource.GetState(_source) == OutcomeState.Canceled;

    /// <summary>
    /// Gets the exception of a failed operation (asyncio <c>task.exception()</c>): <see langword="null"/> on success,
    /// the exception on a fault (the first inner exception of a task that faulted with several), and an
    /// <see cref="OperationCanceledException"/> on cancellation.
    /// </summary>
    public Exception? Exception => OutcomeSource.GetException(_source);

    /// <summary>The completed task this outcome reads, if it reads one.</summary>
    internal Task? SourceTask => _source as Task;

    /// <summary>Does nothing on success; otherwise rethrows the captured exception with its original type and stack trace.</summary>
    /// <exception cref="Exception">The captured exception; an <see cref="OperationCanceledException"/> when canceled.</exception>
    public void ThrowIfFailed()
    {
        if (!IsSuccess)
        {
            OutcomeSource.Throw(_source);
        }
    }

    /// <summary>Creates a successful outcome with a value.</summary>
    /// <typeparam name="T">The type of the value.</typeparam>
    /// <param name="value">The value.</param>
    /// <returns>An outcome whose <see cref="Outcome{T}.IsSuccess"/> is <see langword="true"/>.</returns>
    public static Outcome<T> FromResult<T>(T value) => Outcome<T>.FromValue(value);

    /// <summary>
    /// Creates a failed typed outcome, as an <see langword="async"/> method that throws <paramref name="exception"/> would end:
    /// canceled for an <see cref="OperationCanceledException"/>, faulted for any other exception.
    /// </summary>
    /// <typeparam name="T">The type of the value.</typeparam>
    /// <param name="exception">The exception.</param>
    /// <returns>A faulted or canceled outcome.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is <see langword="null"/>.</exception>
    public static Outcome<T> FromException<T>(Exception exception)
    {
        ThrowHelper.ThrowIfNull(exception, nameof(exception));
        return Outcome<T>.FromExceptionCore(exception);
    }

    /// <summary>
    /// Creates a failed outcome, as an <see langword="async"/> method that throws <paramref name="exception"/> would end:
    /// canceled for an <see cref="OperationCanceledException"/>, faulted for any other exception.
    /// </summary>
    /// <param name="exception">The exception.</param>
    /// <returns>A faulted or canceled outcome.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is <see langword="null"/>.</exception>
    public static Outcome FromException(Exception exception)
    {
        ThrowHelper.ThrowIfNull(exception, nameof(exception));
        return new Outcome(exception);
    }

    /// <summary>Compares two outcomes (see <see cref="Equals(Outcome)"/>).</summary>
    /// <param name="left">The first outcome.</param>
    /// <param name="right">The second outcome.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(Outcome left, Outcome right) => left.Equals(right);

    /// <summary>Compares two outcomes (see <see cref="Equals(Outcome)"/>).</summary>
    /// <param name="left">The first outcome.</param>
    /// <param name="right">The second outcome.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(Outcome left, Outcome right) => !left.Equals(right);

    /// <summary>
    /// Whether <paramref name="other"/> is the same outcome: two successes, however each was made; two faults with the same
    /// exception; or the same cancellation (with the same exception, or read from the same task).
    /// </summary>
    /// <param name="other">The outcome to compare with.</param>
    /// <returns>Whether the outcomes are equal.</returns>
    public bool Equals(Outcome other)
    {
        if (ReferenceEquals(_source, other._source))
        {
            return true;
        }

        bool succeeded = IsSuccess;
        if (succeeded != other.IsSuccess)
        {
            return false;
        }

        return succeeded || OutcomeSource.SameFailure(_source, other._source);
    }

    /// <inheritdoc cref="Equals(Outcome)"/>
    /// <param name="obj">The object to compare with.</param>
    public override bool Equals(object? obj) => obj is Outcome other && Equals(other);

    /// <summary>A hash code consistent with <see cref="Equals(Outcome)"/>.</summary>
    /// <returns>Zero on success; otherwise the failure's hash code.</returns>
    public override int GetHashCode() => OutcomeSource.GetHashCode(_source);

    /// <summary>Describes the outcome: <c>Success</c>, <c>Faulted(Type: message)</c> or <c>Canceled</c>.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => IsSuccess ? "Success" : OutcomeSource.Describe(_source);

    /// <summary>The outcome of <paramref name="task"/>, which may still be pending (see <see cref="Outcome{T}.OfTask"/>).</summary>
    internal static Outcome OfTask(Task task) => new(task);

    internal static Outcome FromCompletedTask(Task task) => new(OutcomeSource.FromCompletedTask(task));
}
