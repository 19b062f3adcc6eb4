#!/usr/bin/perl
# trigger-time.pl SOCKET RUN_JSON LIST TIMEOUT_S
#
# Sends "regenerate LIST" to a listfeed-gen --watch trigger socket and
# prints the milliseconds until RUN_JSON (FEED/run.json, written when a
# generation starts and again when it ends) tells of a generation that
# started after the trigger and has finished.  Exits 1 on a timeout, 2 if
# that generation did not end "ok".
use strict;
use warnings;
use Socket qw(AF_UNIX SOCK_DGRAM pack_sockaddr_un);
use Time::HiRes qw(time sleep);

@ARGV == 4 or die "usage: trigger-time.pl SOCKET RUN_JSON LIST TIMEOUT_S\n";
my ($path, $run, $list, $timeout) = @ARGV;

# (started_ms, finished_ms, result) of the last generation, or ().
sub run_state {
	open(my $fh, '<', $run) or return ();
	local $/;
	my $j = <$fh>;
	close($fh);
	my ($st) = $j =~ /"started_ms":\s*(\d+)/;
	my ($fin) = $j =~ /"finished_ms":\s*(\d+)/;
	my ($res) = $j =~ /"result":\s*"([^"]*)"/;
	return defined $st ? ($st, $fin // 0, $res // "") : ();
}

my ($st0) = run_state();
$st0 //= 0;
socket(my $s, AF_UNIX, SOCK_DGRAM, 0) or die "socket: $!\n";
my $t0 = time;
defined send($s, "regenerate $list\n", 0, pack_sockaddr_un($path))
	or die "send $path: $!\n";
while (time - $t0 < $timeout) {
	my ($st, $fin, $res) = run_state();
	if (defined $st && $st != $st0 && $fin > 0) {
		printf "%.1f\n", (time - $t0) * 1000;
		exit($res eq "ok" ? 0 : 2);
	}
	sleep 0.001;
}
exit 1;
