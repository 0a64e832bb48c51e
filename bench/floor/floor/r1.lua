rule(require "floor"(1))
