#!/usr/bin/perl
# round-time.pl PID LOG TIMEOUT_S
#
# Sends SIGHUP to a listfeed-relay daemon (PID) and prints the
# milliseconds until its LOG gains "SIGHUP: fetching now" and, after it,
# a "round done" line (a round of the relay's own timer does not count).
# It reads only what the log gains, 1 ms apart, in this one process: a
# wait that takes next to no CPU from the round it measures.  Exits 1 on
# a timeout.
use strict;
use warnings;
use Time::HiRes qw(time sleep);

@ARGV == 3 or die "usage: round-time.pl PID LOG TIMEOUT_S\n";
my ($pid, $log, $timeout) = @ARGV;

open(my $fh, '<', $log) or die "$log: $!\n";
seek($fh, 0, 2) or die "$log: $!\n";
my ($part, $hup) = ("", 0);
$pid =~ /^[1-9][0-9]*$/ or die "round-time.pl: no relay pid\n";
my $t0 = time;
kill('HUP', $pid) or die "kill $pid: $!\n";
while (time - $t0 < $timeout) {
	while (defined(my $l = <$fh>)) {
		$part .= $l;
		next unless $part =~ /\n\z/;
		$hup = 1 if $part =~ /SIGHUP: fetching now/;
		if ($hup && $part =~ /round done/) {
			printf "%.1f\n", (time - $t0) * 1000;
			exit 0;
		}
		$part = "";
	}
	seek($fh, 0, 1);	# clears EOF: the next read sees new lines
	sleep(0.001);
}
exit 1;
