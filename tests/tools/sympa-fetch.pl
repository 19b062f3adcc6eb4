#!/usr/bin/perl
# sympa-fetch.pl URL CAFILE CERT KEY: fetches a list's URL the way Sympa
# 6.2.70's include_remote_file does and prints, one per line, the
# "email TAB name" members Sympa would keep.  Sympa's own modules do the
# work (Sympa::DataSource, ::RemoteFile, ::File, Sympa::Tools::Text, from
# the directory in SYMPA_LIB); only its logging, its configuration and
# the list object are stood in for here.  Exit 2 when Sympa would count
# the source as failed (and keep the members it has).
use strict;
use warnings;

my ($url, $cafile, $cert, $key) = @ARGV;
die "usage: sympa-fetch.pl URL CAFILE CERT KEY\n" unless defined $key;

BEGIN {
	package Sympa::Log;
	sub instance { return bless {}, shift }
	sub syslog {
		my ($self, $level, $fmt, @args) = @_;
		return if $level =~ /^debug/;
		$fmt =~ s/%m/$!/g;
		printf STDERR "sympa %s: $fmt\n", $level,
		    map { defined $_ ? "$_" : '' } @args;
	}
	$INC{'Sympa/Log.pm'} = __FILE__;

	package Conf;
	our %Conf;
	$INC{'Conf.pm'} = __FILE__;

	package Sympa::Constants;
	use constant VERSION => '6.2.70';
	use constant LOCALEDIR => '/nonexistent';
	$INC{'Sympa/Constants.pm'} = __FILE__;

	package Sympa;
	our ($cert_file, $key_file);
	sub search_fullpath {
		my ($list, $name) = @_;
		return $name eq 'cert.pem' ? $cert_file : $key_file;
	}
	sub send_notify_to_listmaster { return 1 }
	$INC{'Sympa.pm'} = __FILE__;

	package Sympa::List;
	sub get_default_user_options { return {} }
	sub get_id { return 'test@lists.example.org' }
}

use lib $ENV{SYMPA_LIB} || '/usr/share/sympa/lib';
use Sympa::DataSource;

%Conf::Conf = (cafile => $cafile, tmpdir => $ENV{TMPDIR} || '/tmp');
($Sympa::cert_file, $Sympa::key_file) = ($cert, $key);

my $list = bless { name => 'test', domain => 'lists.example.org' },
    'Sympa::List';
my $ds = Sympa::DataSource->new('RemoteFile', 'member', context => $list,
    name => 'listfeed', url => $url, ca_verify => 'required', timeout => 10)
    or die "sympa-fetch: cannot make the data source\n";
$ds->open(use_cert => 1) or exit 2;
binmode STDOUT;
my $n = 0;
while (my $e = $ds->next) {
	print $e->[0], "\t", (defined $e->[1] ? $e->[1] : ''), "\n";
	$n++;
}
# Sympa::DataSource::File gives up (undef before any entry) after 49 lines
# without one: the source failed.
$ds->close;
exit 0;
